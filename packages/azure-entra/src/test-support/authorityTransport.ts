import https from "node:https";
import type { Socket } from "node:net";
import tls from "node:tls";
import type { TokenCredentialOptions } from "@azure/identity";
import type { EntraAuthorityEmulator } from "@copilot-byok/testing";

/**
 * Credential options that send the real `@azure/identity`'s requests for `login.microsoftonline.com` (and every
 * other host) straight to the authority emulator's TLS server, trusting its CA, in this process: a pipeline
 * policy sets the request's agent (which the proxy policy then leaves alone). `NODE_EXTRA_CA_CERTS` is read only
 * at process start, and core-rest-pipeline ignores `tlsOptions` behind a proxy, hence the agent. The host the
 * client asked for stays in the SNI and the `Host` header, which is what the emulator serves by.
 */
export function authorityTransport(
  emulator: EntraAuthorityEmulator,
): Required<Pick<TokenCredentialOptions, "additionalPolicies">> {
  const port = Number(new URL(emulator.url).port);
  const ca = emulator.caCertificate;
  class ToEmulator extends https.Agent {
    override createConnection(options: tls.ConnectionOptions): Socket {
      const servername = options.servername || options.host || undefined;
      return tls.connect({ ...options, host: "127.0.0.1", port, ca, ...(servername ? { servername } : {}) });
    }
  }
  const agent = new ToEmulator({ keepAlive: false });
  return {
    additionalPolicies: [
      {
        position: "perCall",
        policy: {
          name: "copilot-byok-test-authority-transport",
          sendRequest: (request, next) => {
            request.agent = agent;
            return next(request);
          },
        },
      },
    ],
  };
}

/** The variables of a service principal of the emulator, without its proxy and CA settings (see above). */
export function servicePrincipalEnv(emulator: EntraAuthorityEmulator): Record<string, string> {
  const { AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET } = emulator.env("service-principal");
  return {
    AZURE_TENANT_ID: AZURE_TENANT_ID ?? "",
    AZURE_CLIENT_ID: AZURE_CLIENT_ID ?? "",
    AZURE_CLIENT_SECRET: AZURE_CLIENT_SECRET ?? "",
  };
}
