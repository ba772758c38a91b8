import type { Env } from "@copilot-byok/core";

const PROXY_VARIABLES = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"] as const;
type Agent = import("undici").EnvHttpProxyAgent;
let agents: WeakMap<object, Agent> | undefined;

/**
 * `fetch`, but through `HTTPS_PROXY` / `HTTP_PROXY` (minus `NO_PROXY`) when they are set, as the Copilot
 * runtime and `@azure/identity` send theirs: Node 20's fetch ignores them, so behind a proxy the probe would
 * fail where the sessions work. Undici (the library behind Node's fetch) is loaded only then.
 */
export async function fetchThroughProxy(url: string, init: RequestInit, env: Env): Promise<Response> {
  if (!PROXY_VARIABLES.some((name) => (env[name] ?? "").trim() !== "")) return fetch(url, init);
  const undici = await import("undici");
  agents ??= new WeakMap();
  let agent = agents.get(env);
  if (!agent) {
    agent = new undici.EnvHttpProxyAgent({
      httpProxy: env.HTTP_PROXY ?? env.http_proxy,
      httpsProxy: env.HTTPS_PROXY ?? env.https_proxy ?? env.HTTP_PROXY ?? env.http_proxy,
      noProxy: env.NO_PROXY ?? env.no_proxy,
    });
    agents.set(env, agent);
  }
  const response = await undici.fetch(url, { ...(init as object), dispatcher: agent });
  return response as unknown as Response;
}
