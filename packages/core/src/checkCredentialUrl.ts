import { credentialTransport } from "./credentialTransport.js";
import { redactUrl } from "./redact.js";

/**
 * The problems with a URL a source sends a credential to or gets one from (a token broker, a key service):
 * it must be set, absolute, and `https://` (or `http://` to a loopback host), the same rule as the provider's
 * base URL. Messages name `label` and show the URL through `redactUrl` only.
 */
export function checkCredentialUrl(label: string, value: string | undefined): string[] {
  const text = value?.trim() ?? "";
  if (text === "") return [`${label} is not set: give an https:// URL`];
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return [`${label} is not a valid absolute URL (value of ${text.length} characters not shown)`];
  }
  switch (credentialTransport(url)) {
    case "ok":
      return [];
    case "plaintext":
      return [
        `${label} uses http:// with the non-loopback host ${url.hostname}: credentials would cross the network in clear; use https:// (${redactUrl(url)})`,
      ];
    default:
      return [`${label} must use https:// (or http:// for a loopback host), not ${url.protocol}//`];
  }
}
