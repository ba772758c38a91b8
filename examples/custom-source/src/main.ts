import "reflect-metadata";
import { readFile } from "node:fs/promises";
import { CopilotSessionFactory, registerCopilotByok } from "@copilot-byok/core";
import { approveAll } from "@github/copilot-sdk";
import { container } from "tsyringe";
import { type SecretStore, secretStoreModule } from "./secretStoreModule.js";

/** A stand-in store: secrets are files under SECRET_STORE_DIR (a real app would call its vault here). */
const store: SecretStore = {
  name: "file-store",
  getSecret: async (name, { signal }) =>
    (
      await readFile(`${process.env.SECRET_STORE_DIR ?? "/run/secrets"}/${name}`, {
        encoding: "utf8",
        signal,
      })
    ).trim(),
};

const app = container.createChildContainer();
try {
  const selection = registerCopilotByok(app, { modules: [secretStoreModule(store)] });
  console.log(`mode: ${selection.mode}\n  ${selection.reasons.join("\n  ")}`);
  const session = await app.resolve(CopilotSessionFactory).createSession({ onPermissionRequest: approveAll });
  console.log(`reply: ${(await session.sendAndWait(process.argv[2] ?? "Say hello.", 60_000))?.data.content}`);
  await session.disconnect();
} finally {
  await app.dispose();
}
