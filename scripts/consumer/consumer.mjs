// An ESM app using the packed packages as installed from npm: one session per mode against the emulators.
import "reflect-metadata";
import { azureEntraModule } from "@copilot-byok/azure-entra";
import { CopilotSessionFactory, registerCopilotByok } from "@copilot-byok/core";
import * as plugin from "@copilot-byok/core/plugin";
import { staticKeyModule } from "@copilot-byok/static-key";
import { startAzureEmulators } from "@copilot-byok/testing";
import { approveAll, CopilotClient } from "@github/copilot-sdk";
import { container } from "tsyringe";
import scenario from "./scenario.cjs";

const api = {
  azureEntraModule,
  CopilotSessionFactory,
  registerCopilotByok,
  staticKeyModule,
  startAzureEmulators,
  approveAll,
  CopilotClient,
  container,
  plugin,
};
process.exitCode = (await scenario.runScenario(api, "esm")) === 0 ? 0 : 1;
