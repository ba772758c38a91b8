import { azureEntraModule } from "@copilot-byok/azure-entra";
import type { ProviderConfigSourceModule } from "@copilot-byok/core";
import { staticKeyModule } from "@copilot-byok/static-key";

/** The modules the doctor chooses from unless told otherwise: the built-in modes, in tie-breaking order. */
export const DEFAULT_MODULES: readonly ProviderConfigSourceModule[] = [staticKeyModule, azureEntraModule];
