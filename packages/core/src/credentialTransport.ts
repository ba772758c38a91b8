import { isLoopbackHost } from "./isLoopbackHost.js";

/**
 * Whether a key or bearer token may be sent to `url` — the one rule behind every plaintext check:
 * `"ok"` for `https://`, or `http://` to a loopback host; `"plaintext"` for `http://` to any other host (the
 * credential would cross the network in clear); `"unsupported"` for any other scheme.
 */
export function credentialTransport(url: URL): "ok" | "plaintext" | "unsupported" {
  if (url.protocol === "https:") return "ok";
  if (url.protocol !== "http:") return "unsupported";
  return isLoopbackHost(url.hostname) ? "ok" : "plaintext";
}
