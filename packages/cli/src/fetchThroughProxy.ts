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
    // Every option given ("" for none): undici would otherwise read process.env for the missing ones, and only
    // `env` counts. Lower case first, as undici and curl read them.
    const pick = (...names: string[]) => names.map((n) => env[n]?.trim()).find((v) => v) ?? "";
    agent = new undici.EnvHttpProxyAgent({
      httpProxy: pick("http_proxy", "HTTP_PROXY"),
      httpsProxy: pick("https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY"),
      noProxy: pick("no_proxy", "NO_PROXY"),
    });
    agents.set(env, agent);
  }
  const response = await undici.fetch(url, { ...(init as object), dispatcher: agent });
  return response as unknown as Response;
}

/**
 * The proxy a request to `url` goes through by `env` (`{ name, url }` of the variable that applies), or
 * `undefined` when none is set or `NO_PROXY` lists the host (a name, `.suffix`/`*.suffix`, or `*`): for
 * advice that names the proxy when a request fails.
 */
export function proxyFor(url: string, env: Env): { name: string; url: string } | undefined {
  const target = new URL(url);
  const names =
    target.protocol === "https:"
      ? ["https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY"]
      : ["http_proxy", "HTTP_PROXY"];
  const name = names.find((n) => (env[n] ?? "").trim() !== "");
  if (!name) return undefined;
  const host = target.hostname.toLowerCase();
  const bypass = (env.no_proxy ?? env.NO_PROXY ?? "")
    .split(/[\s,]+/)
    .map((entry) => entry.trim().toLowerCase().replace(/:\d+$/, ""))
    .filter(Boolean)
    .some((entry) => {
      if (entry === "*") return true;
      const suffix = entry.replace(/^\*?\./, "");
      return host === suffix || host.endsWith(`.${suffix}`);
    });
  return bypass ? undefined : { name, url: (env[name] ?? "").trim() };
}
