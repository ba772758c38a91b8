import { CopilotSessionFactory, type Env, registerCopilotByok } from "@copilot-byok/core";
import { createStaticKeyModule } from "@copilot-byok/static-key";
import { approveAll } from "@github/copilot-sdk";
import { container } from "tsyringe";

/**
 * One session, two turns, a key rotation between them: `rotate(firstReply)` runs after the first reply. The key comes
 * from `COPILOT_PROVIDER_API_KEY_FILE`, polled once an hour here, so that the app is late on purpose: the
 * provider refuses the old key first (a 401), the request edge asks the source to renew, the source reads the
 * file at once and the request is replayed with the new key. Telemetry needs nothing here: core records through
 * `@opentelemetry/api`, into whatever SDK the app registered globally.
 */
export async function askAcrossARotation(
  env: Env,
  prompts: readonly [string, string],
  rotate: (firstReply: string) => Promise<void>,
): Promise<readonly [string, string]> {
  const app = container.createChildContainer();
  try {
    registerCopilotByok(app, {
      env,
      modules: [createStaticKeyModule({ pollIntervalMs: 3_600_000 })],
      clientOptions: env.COPILOT_HOME ? { baseDirectory: env.COPILOT_HOME } : {},
    });
    const session = await app
      .resolve(CopilotSessionFactory)
      .createSession({ onPermissionRequest: approveAll });
    const first = (await session.sendAndWait(prompts[0], 60_000))?.data.content ?? "";
    await rotate(first);
    const second = (await session.sendAndWait(prompts[1], 60_000))?.data.content ?? "";
    await session.disconnect();
    return [first, second];
  } finally {
    await app.dispose();
  }
}
