import { afterAll, beforeAll, expect, it } from "vitest";
import { type FoundryEmulator, startFoundryEmulator } from "./startFoundryEmulator.js";
import {
  type ManagedIdentityEmulator,
  startManagedIdentityEmulator,
} from "./startManagedIdentityEmulator.js";

// A Foundry project endpoint: `https://<resource>.services.ai.azure.com/api/projects/<name>/openai/v1/`, whose
// tokens are for https://ai.azure.com.
let identity: ManagedIdentityEmulator;
let foundry: FoundryEmulator;

beforeAll(async () => {
  identity = await startManagedIdentityEmulator();
  foundry = await startFoundryEmulator({ identity, audience: "https://ai.azure.com", projects: ["Proj-1"] });
});
afterAll(async () => {
  await Promise.all([identity?.close(), foundry?.close()]);
});

const post = (path: string, token: string) =>
  fetch(new URL(path, foundry.resourceUrl), {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ model: "gpt-4.1", input: "hi" }),
    signal: AbortSignal.timeout(5000),
  });

it("serves the OpenAI routes under a served project's path, and nowhere else", async () => {
  foundry.reset();
  const token = identity.issueToken({ audience: "https://ai.azure.com" }).token;
  const statuses = [];
  for (const path of [
    "/api/projects/proj-1/openai/v1/responses",
    "/api/projects/other/openai/v1/responses",
    "/api/projects/proj-1/anthropic/v1/messages",
  ]) {
    const response = await post(path, token);
    await response.body?.cancel();
    statuses.push(response.status);
  }
  expect(statuses).toEqual([200, 404, 404]);
  expect(foundry.requests.map((r) => [r.path, r.wireApi, r.status])).toEqual([
    ["/api/projects/proj-1/openai/v1/responses", "responses", 200],
    ["/api/projects/other/openai/v1/responses", undefined, 404],
    ["/api/projects/proj-1/anthropic/v1/messages", undefined, 404],
  ]);
});

it("refuses a token for the Cognitive Services audience on a project", async () => {
  foundry.reset();
  const token = identity.issueToken({ audience: "https://cognitiveservices.azure.com" }).token;
  const response = await post("/api/projects/proj-1/openai/v1/responses", token);
  await response.body?.cancel();
  expect(response.status).toBe(401);
  expect(foundry.requests[0]?.rejectReason).toContain("audience mismatch");
});
