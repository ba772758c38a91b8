import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEntraRequestHandler, type EntraRequestRecord } from "./createEntraRequestHandler.js";
import { createServerCertificate } from "./createServerCertificate.js";
import {
  createTokenAuthority,
  type IssuedToken,
  type IssueTokenOptions,
  type TokenAuthority,
  type TokenVerifier,
} from "./createTokenAuthority.js";
import {
  type EntraCredentialEnvOptions,
  type EntraCredentialKind,
  entraCredentialEnv,
} from "./entraCredentialEnv.js";
import { PUBLIC_CLOUD_HOST } from "./entraDiscovery.js";
import { type Fault, FaultQueue } from "./FaultQueue.js";
import {
  type FederatedToken,
  FederatedTokenFile,
  type RotateFederatedTokenOptions,
} from "./FederatedTokenFile.js";
import { HIDDEN, hideSecrets } from "./hideSecrets.js";
import { type ConnectProxy, type ProxyRequestRecord, startConnectProxy } from "./startConnectProxy.js";
import { startHttpsServer, type TestHttpsServer } from "./startHttpsServer.js";
import { startTlsTunnel } from "./startTlsTunnel.js";

/** What signs the access tokens: `createTokenAuthority`'s result or the managed-identity emulator. */
export type TokenIssuer = Pick<TokenAuthority, "issuer" | "publicKey" | "issueToken" | "verifyToken">;

export interface EntraServicePrincipalOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Default: a GUID derived at random. */
  readonly objectId?: string;
}

export interface EntraWorkloadIdentityOptions {
  readonly clientId?: string;
  readonly objectId?: string;
  /** `sub` of the federated credential. Default `system:serviceaccount:default:workload-identity-sa`. */
  readonly subject?: string;
  /** `iss` of the federated credential (the cluster's OIDC issuer). Default: an AKS-like URL. */
  readonly issuer?: string;
  /** Lifetime of the assertions written to the token file. Default 3600. */
  readonly assertionLifetimeSeconds?: number;
}

export interface EntraAuthorityEmulatorOptions {
  /** The only tenant served. Default: the tenant of `authority`'s issuer, else a fixed test GUID. */
  readonly tenantId?: string;
  /** Signs the access tokens. Default: a new `createTokenAuthority`. Pass the managed-identity emulator to share its key. */
  readonly authority?: TokenIssuer;
  /** Default: one service principal with a random secret. */
  readonly servicePrincipals?: readonly EntraServicePrincipalOptions[];
  readonly workloadIdentity?: EntraWorkloadIdentityOptions;
  /**
   * Authority hosts served (in the certificate and tunnelled by the proxy). `login.microsoftonline.com` is
   * always added: MSAL sends instance discovery there. E.g. `login.microsoftonline.us`,
   * `login.partner.microsoftonline.cn` (where MSAL sends `login.chinacloudapi.cn` authorities).
   */
  readonly hosts?: readonly string[];
  /** Default 3600. Negative: tokens that have already expired. */
  readonly tokenLifetimeSeconds?: number;
  /**
   * Other public hosts reached through the same proxy: `<host>:443` gets a certificate from the same CA and
   * is passed in clear to the plain-HTTP emulator on `127.0.0.1:<port>` (e.g. a Foundry emulator posing as
   * `https://<resource>.openai.azure.us`, for a process whose only change is its environment).
   */
  readonly tunnels?: Readonly<Record<string, number>>;
}

export interface EntraAuthorityEmulator extends TokenVerifier {
  readonly tenantId: string;
  /** Hosts served, lower case, `login.microsoftonline.com` first. */
  readonly hosts: readonly string[];
  /** `http://127.0.0.1:<port>`: `HTTPS_PROXY`. */
  readonly proxyUrl: string;
  /** `https://127.0.0.1:<port>`: the TLS server itself (its certificate also covers 127.0.0.1). */
  readonly url: string;
  /** PEM of the CA that signed the server certificate. */
  readonly caCertificate: string;
  /** Path of `caCertificate`: `NODE_EXTRA_CA_CERTS`. */
  readonly caCertificatePath: string;
  /** `iss` of the access tokens. */
  readonly issuer: string;
  readonly publicKey: string;
  /** Ids of the service principals (their secrets are only in `env("service-principal")`). */
  readonly servicePrincipals: readonly { readonly clientId: string; readonly objectId: string }[];
  readonly workloadIdentity: {
    readonly clientId: string;
    readonly objectId: string;
    readonly subject: string;
    readonly issuer: string;
  };
  /** `AZURE_FEDERATED_TOKEN_FILE`: a symlink in a projected-volume layout. */
  readonly federatedTokenFile: string;
  /** The assertion the token file holds now (its id and expiry). */
  readonly federatedToken: FederatedToken;
  /** Lifetime of access tokens issued from now on. */
  tokenLifetimeSeconds: number;
  readonly requests: readonly EntraRequestRecord[];
  /** Every request the proxy received: `CONNECT` targets, tunnelled or refused. */
  readonly proxyRequests: readonly ProxyRequestRecord[];
  readonly tokensIssued: number;
  /** Variables for a credential's process (see the README); `NODE_EXTRA_CA_CERTS` is read at process start. */
  env(kind: EntraCredentialKind, options?: EntraCredentialEnvOptions): Record<string, string>;
  /** Mints an access token directly, signed like the ones served (default tenant: this emulator's). */
  issueToken(options?: IssueTokenOptions): IssuedToken;
  /** Writes a new assertion to the token file the way the kubelet does (atomic `..data` swap). */
  rotateFederatedToken(options?: RotateFederatedTokenOptions): Promise<FederatedToken>;
  /** Scripted faults, consumed one per request to a served endpoint, in order. */
  enqueueFaults(faults: readonly Fault[]): void;
  /** `true`: every request answers 503; a `Fault`: applied to every request; `false`: back up. */
  setDown(down: boolean | Fault): void;
  /** Clears both request logs, the counter and the faults. */
  reset(): void;
  /** Stops the proxy and the TLS server (every socket) and removes the temp files. */
  close(): Promise<void>;
}

const DEFAULT_TENANT = "72f988bf-0000-4000-8000-00000000a11c";

function tenantOfIssuer(issuer: string): string | undefined {
  return /^https:\/\/sts\.windows\.net\/([^/]+)\/$/.exec(issuer)?.[1];
}

/**
 * Starts an Entra ID authority for offline tests of the real `@azure/identity`: a TLS server acting as
 * `login.microsoftonline.com` (and other `hosts`) behind a loopback `CONNECT` proxy, serving OpenID and
 * instance discovery and the client credentials grant (client secret or workload identity assertion).
 */
export async function startEntraAuthorityEmulator(
  options: EntraAuthorityEmulatorOptions = {},
): Promise<EntraAuthorityEmulator> {
  const fromAuthority = options.authority && tenantOfIssuer(options.authority.issuer);
  const tenantId = options.tenantId ?? fromAuthority ?? DEFAULT_TENANT;
  if (options.authority && fromAuthority !== tenantId)
    throw new TypeError(
      `startEntraAuthorityEmulator: tenantId ${tenantId} is not the authority's tenant (${fromAuthority ?? options.authority.issuer}): its tokens would not verify`,
    );
  const hosts = [...new Set([PUBLIC_CLOUD_HOST, ...(options.hosts ?? []).map((h) => h.toLowerCase())])];
  const tunnels = Object.fromEntries(
    Object.entries(options.tunnels ?? {}).map(([host, port]) => [host.toLowerCase(), port]),
  );
  const clash = Object.keys(tunnels).filter((host) => hosts.includes(host));
  if (clash.length > 0)
    throw new TypeError(
      `startEntraAuthorityEmulator: ${clash.join(", ")} is an authority host, not a tunnel`,
    );
  const sps = options.servicePrincipals ?? [
    { clientId: "44444444-0000-4000-8000-0000000005e1", clientSecret: randomBytes(24).toString("base64url") },
  ];
  if (sps.length === 0)
    throw new TypeError("startEntraAuthorityEmulator: servicePrincipals must not be empty");
  const servicePrincipals = new Map(
    sps.map((sp) => [sp.clientId, { objectId: sp.objectId ?? randomUUID(), clientSecret: sp.clientSecret }]),
  );
  const wiOptions = options.workloadIdentity ?? {};
  const workloadIdentity = {
    clientId: wiOptions.clientId ?? "55555555-0000-4000-8000-0000000000f1",
    objectId: wiOptions.objectId ?? randomUUID(),
    subject: wiOptions.subject ?? "system:serviceaccount:default:workload-identity-sa",
    issuer: wiOptions.issuer ?? `https://eastus.oic.prod-aks.azure.com/${tenantId}/${randomUUID()}/`,
  };
  if (servicePrincipals.has(workloadIdentity.clientId))
    throw new TypeError(
      "startEntraAuthorityEmulator: the workload identity's clientId is a service principal's",
    );
  const state = { tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3600 };

  const dir = await mkdtemp(join(tmpdir(), "entra-authority-"));
  const cleanup: Array<() => Promise<void>> = [() => rm(dir, { recursive: true, force: true })];
  const closeAll = async () => {
    for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
  };
  try {
    const [authority, certificate, tokenFile] = await Promise.all([
      options.authority ??
        createTokenAuthority({
          tenantId,
          clientId: workloadIdentity.clientId,
          objectId: workloadIdentity.objectId,
          lifetimeSeconds: () => state.tokenLifetimeSeconds,
        }),
      createServerCertificate({ hosts: [...hosts, ...Object.keys(tunnels)] }),
      FederatedTokenFile.create({
        dir: join(dir, "tokens"),
        issuer: workloadIdentity.issuer,
        subject: workloadIdentity.subject,
        lifetimeSeconds: wiOptions.assertionLifetimeSeconds,
      }),
    ]);
    const caCertificatePath = join(dir, "ca.pem");
    await writeFile(caCertificatePath, certificate.caCertificate);
    // The kid of the signing key, for the JWKS document: read from a token's header.
    const header = authority.issueToken({ lifetimeSeconds: 60 }).token.split(".")[0] ?? "";
    const keyId = String((JSON.parse(Buffer.from(header, "base64url").toString()) as { kid?: unknown }).kid);

    const faults = new FaultQueue();
    let requests: EntraRequestRecord[] = [];
    let tokensIssued = 0;
    let server: TestHttpsServer | undefined;
    const handler = createEntraRequestHandler({
      hosts,
      directory: { tenantId, servicePrincipals, workloadIdentity, federatedTokenFile: tokenFile },
      faults,
      issueToken: (o) => authority.issueToken(o),
      tokenLifetimeSeconds: () => state.tokenLifetimeSeconds,
      publicKey: authority.publicKey,
      keyId,
      record: (r) => requests.push(r),
      onTokenIssued: () => {
        tokensIssued += 1;
      },
      server: () => server as TestHttpsServer,
    });
    server = await startHttpsServer(handler, certificate);
    const tls = server;
    cleanup.push(() => tls.close());
    const route = { host: "127.0.0.1", port: server.port };
    const routes = Object.fromEntries(hosts.map((h) => [`${h}:443`, route]));
    if (Object.keys(tunnels).length > 0) {
      const tunnel = await startTlsTunnel({ ...certificate, targets: tunnels });
      cleanup.push(() => tunnel.close());
      for (const host of Object.keys(tunnels))
        routes[`${host}:443`] = { host: "127.0.0.1", port: tunnel.port };
    }
    const proxy: ConnectProxy = await startConnectProxy({ routes });
    cleanup.push(() => proxy.close());

    const env = (kind: EntraCredentialKind, o: EntraCredentialEnvOptions = {}) =>
      entraCredentialEnv(kind, o, {
        tenantId,
        servicePrincipals,
        workloadClientId: workloadIdentity.clientId,
        federatedTokenFile: tokenFile.path,
        hosts,
        proxyUrl: proxy.url,
        caCertificatePath,
      });

    const emulator: EntraAuthorityEmulator = {
      tenantId,
      hosts,
      proxyUrl: proxy.url,
      url: server.origin,
      caCertificate: certificate.caCertificate,
      caCertificatePath,
      issuer: authority.issuer,
      publicKey: authority.publicKey,
      servicePrincipals: [...servicePrincipals].map(([clientId, sp]) => ({
        clientId,
        objectId: sp.objectId,
      })),
      workloadIdentity,
      federatedTokenFile: tokenFile.path,
      get federatedToken() {
        return tokenFile.current;
      },
      get tokenLifetimeSeconds() {
        return state.tokenLifetimeSeconds;
      },
      set tokenLifetimeSeconds(value) {
        state.tokenLifetimeSeconds = value;
      },
      get requests() {
        return requests;
      },
      get proxyRequests() {
        return proxy.requests;
      },
      get tokensIssued() {
        return tokensIssued;
      },
      env,
      rotateFederatedToken: (o) => tokenFile.rotate(o),
      issueToken: (o) => authority.issueToken({ tenantId, ...o }),
      verifyToken: (token, o) => authority.verifyToken(token, o),
      enqueueFaults: (list) => faults.enqueue(list),
      setDown: (down) => faults.setDown(down),
      reset: () => {
        requests = [];
        tokensIssued = 0;
        proxy.reset();
        faults.clear();
      },
      close: closeAll,
    };
    // Nothing above holds a secret but the service principals' map (in closures); say so for inspect/JSON.
    return hideSecrets(emulator, () => ({
      tenantId,
      hosts,
      proxyUrl: proxy.url,
      url: tls.origin,
      caCertificatePath,
      servicePrincipals: emulator.servicePrincipals.map((sp) => ({ ...sp, clientSecret: HIDDEN })),
      workloadIdentity,
      federatedTokenFile: tokenFile.path,
      requests: requests.length,
    }));
  } catch (error) {
    await closeAll();
    throw error;
  }
}
