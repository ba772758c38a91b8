import { MSAL_PREFERRED_NETWORK, msalNetworkHost, PUBLIC_CLOUD_HOST } from "./entraDiscovery.js";
import { hideSecrets, maskValues } from "./hideSecrets.js";

/** The credential a child process gets variables for: a client secret, or a federated token file. */
export type EntraCredentialKind = "service-principal" | "workload-identity";
const KINDS: readonly EntraCredentialKind[] = ["service-principal", "workload-identity"];

/** Loopback (the Copilot runtime's provider, the other emulators) must not go through the proxy. */
export const LOOPBACK_NO_PROXY = "127.0.0.1,localhost,::1";

export interface EntraCredentialEnvOptions {
  /** Service principal to use. Default: the first. */
  readonly clientId?: string;
  /** `AZURE_AUTHORITY_HOST`, e.g. `https://login.microsoftonline.us`: its host (or MSAL's alias target) must be served. */
  readonly authorityHost?: string;
}

/** What the variables are made of. */
export interface EntraCredentialEnvContext {
  readonly tenantId: string;
  readonly servicePrincipals: ReadonlyMap<string, { readonly clientSecret: string }>;
  readonly workloadClientId: string;
  readonly federatedTokenFile: string;
  readonly hosts: readonly string[];
  readonly proxyUrl: string;
  readonly caCertificatePath: string;
}

/**
 * The variables a credential's process needs to reach the authority emulator: the credential's own
 * (`AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, then `AZURE_CLIENT_SECRET` or `AZURE_FEDERATED_TOKEN_FILE` +
 * `AZURE_AUTHORITY_HOST`), and `HTTPS_PROXY`, `NO_PROXY`, `NODE_EXTRA_CA_CERTS`. `util.inspect` and
 * `JSON.stringify` of the record mask the secret; spreading it keeps the value.
 */
export function entraCredentialEnv(
  kind: EntraCredentialKind,
  options: EntraCredentialEnvOptions,
  context: EntraCredentialEnvContext,
): Record<string, string> {
  if (!KINDS.includes(kind))
    throw new TypeError(`env: unknown kind ${JSON.stringify(kind)}; accepted: ${KINDS.join(", ")}`);
  const vars: Record<string, string> = { AZURE_TENANT_ID: context.tenantId };
  if (kind === "service-principal") {
    const clientId = options.clientId ?? [...context.servicePrincipals.keys()][0] ?? "";
    const sp = context.servicePrincipals.get(clientId);
    if (!sp)
      throw new TypeError(
        `env: clientId ${clientId} is not a service principal; accepted: ${[...context.servicePrincipals.keys()].join(", ")}`,
      );
    Object.assign(vars, { AZURE_CLIENT_ID: clientId, AZURE_CLIENT_SECRET: sp.clientSecret });
  } else {
    Object.assign(vars, {
      AZURE_CLIENT_ID: context.workloadClientId,
      AZURE_FEDERATED_TOKEN_FILE: context.federatedTokenFile,
      // What the AKS workload identity webhook injects.
      AZURE_AUTHORITY_HOST: `https://${PUBLIC_CLOUD_HOST}/`,
    });
  }
  if (options.authorityHost !== undefined)
    vars.AZURE_AUTHORITY_HOST = checkAuthorityHost(options.authorityHost, context.hosts);
  Object.assign(vars, {
    HTTPS_PROXY: context.proxyUrl,
    NO_PROXY: LOOPBACK_NO_PROXY,
    NODE_EXTRA_CA_CERTS: context.caCertificatePath,
  });
  return hideSecrets(vars, () => maskValues(vars, ["AZURE_CLIENT_SECRET"]));
}

/** `authorityHost` when MSAL would connect to a served host for it, else a `TypeError` naming those accepted. */
function checkAuthorityHost(authorityHost: string, hosts: readonly string[]): string {
  let host: string | undefined;
  try {
    const url = new URL(authorityHost);
    if (url.protocol === "https:" && url.port === "") host = url.hostname;
  } catch {}
  if (host && hosts.includes(msalNetworkHost(host))) return authorityHost;
  const aliases = Object.keys(MSAL_PREFERRED_NETWORK).filter((a) => hosts.includes(msalNetworkHost(a)));
  const accepted = [...hosts, ...aliases].map((h) => `https://${h}`).join(", ");
  throw new TypeError(`env: authorityHost ${authorityHost} is not served; accepted: ${accepted}`);
}
