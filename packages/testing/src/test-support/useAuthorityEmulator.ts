import { readFileSync } from "node:fs";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { JWT_BEARER_ASSERTION_TYPE } from "../checkClientCredentials.js";
import { type EntraAuthorityEmulator, startEntraAuthorityEmulator } from "../startEntraAuthorityEmulator.js";

export const SECRET = "sp-secret-value-for-tests";
export const SP = "aaaaaaaa-0000-4000-8000-000000000001";
export const SCOPE = "https://cognitiveservices.azure.com/.default";

/** A client-secret token request's form for the service principal {@link SP}. */
export const secretForm = (o: Record<string, string> = {}) => ({
  grant_type: "client_credentials",
  client_id: SP,
  client_secret: SECRET,
  scope: SCOPE,
  ...o,
});
/** An Entra error body's `error` and `error_codes`. */
export const errorOf = (body: Record<string, unknown>) => [body.error, body.error_codes];

/** The emulator a test file shares (one service principal, {@link SP}), reset before each test. */
export interface AuthorityFixture {
  readonly emulator: EntraAuthorityEmulator;
  /** `/<tenant>/oauth2/v2.0/token` */
  readonly tokenPath: string;
  /** A workload identity token request's form, with `assertion`. */
  assertionForm(assertion: string, o?: Record<string, string>): Record<string, string>;
  /** What the federated token file holds now. */
  currentAssertion(): string;
}

/** Starts the emulator before the file's tests, resets it before each, closes it after them. */
export function useAuthorityEmulator(): AuthorityFixture {
  let emulator: EntraAuthorityEmulator | undefined;
  const started = () => {
    if (!emulator) throw new Error("the authority emulator is not started yet");
    return emulator;
  };
  beforeAll(async () => {
    emulator = await startEntraAuthorityEmulator({
      servicePrincipals: [
        { clientId: SP, clientSecret: SECRET, objectId: "bbbbbbbb-0000-4000-8000-000000000002" },
      ],
    });
  });
  afterAll(() => emulator?.close());
  beforeEach(() => started().reset());
  return {
    get emulator() {
      return started();
    },
    get tokenPath() {
      return `/${started().tenantId}/oauth2/v2.0/token`;
    },
    assertionForm: (assertion, o = {}) => ({
      grant_type: "client_credentials",
      client_id: started().workloadIdentity.clientId,
      client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
      client_assertion: assertion,
      scope: SCOPE,
      ...o,
    }),
    currentAssertion: () => readFileSync(started().federatedTokenFile, "utf8"),
  };
}
