import { generateKeyPair, type KeyObject, randomUUID, sign, verify } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

/** The audience Entra ID expects in a federated (workload identity) assertion. */
export const TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";

export interface FederatedTokenFileOptions {
  /** The projected volume's directory (created), e.g. a temp dir standing for `/var/run/secrets/azure/tokens`. */
  readonly dir: string;
  /** Default `azure-identity-token`, the name the AKS workload identity webhook uses. */
  readonly fileName?: string;
  /** `iss` of the assertions: the cluster's OIDC issuer URL. */
  readonly issuer: string;
  /** `sub` of the assertions, e.g. `system:serviceaccount:default:workload`. */
  readonly subject: string;
  /** Default 3600 (the webhook's default `expirationSeconds`). */
  readonly lifetimeSeconds?: number;
}

/** What identifies an assertion written to the file (never the assertion itself). */
export interface FederatedToken {
  /** `jti` of the assertion. */
  readonly id: string;
  readonly issuer: string;
  readonly subject: string;
  readonly audience: string;
  /** Milliseconds since the Unix epoch. */
  readonly expiresAt: number;
}

export interface RotateFederatedTokenOptions {
  /** Default: the file's `lifetimeSeconds`. Negative: an assertion that has already expired. */
  readonly lifetimeSeconds?: number;
  /** Default: the file's subject (another one stands for a service account with no federated credential). */
  readonly subject?: string;
}

/** The claims of an assertion whose signature this file's key verified. */
export interface FederatedAssertionClaims {
  readonly iss: string;
  readonly sub: string;
  readonly aud: string | readonly string[];
  readonly exp: number;
  readonly nbf?: number;
  readonly jti: string;
  readonly [claim: string]: unknown;
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/**
 * A service-account token file laid out and rotated the way the kubelet writes a projected volume
 * (AtomicWriter): the data lives in `<dir>/..<timestamp>/<name>`, `<dir>/..data` links to that directory and
 * `<dir>/<name>` links to `..data/<name>`. `rotate()` writes a new timestamped directory and renames a fresh
 * symlink over `..data`: a reader sees the old token or the new one, never a partial file.
 */
export class FederatedTokenFile {
  /** `<dir>/<fileName>`: the value of `AZURE_FEDERATED_TOKEN_FILE`. */
  readonly path: string;
  readonly dir: string;
  readonly fileName: string;
  #current!: FederatedToken;
  #version = 0;
  #dataDir: string | undefined;
  readonly #keyId = randomUUID().replaceAll("-", "").slice(0, 16);
  readonly #options: FederatedTokenFileOptions;
  readonly #publicKey: KeyObject;
  readonly #privateKey: KeyObject;

  private constructor(options: FederatedTokenFileOptions, publicKey: KeyObject, privateKey: KeyObject) {
    this.#options = options;
    this.#publicKey = publicKey;
    this.#privateKey = privateKey;
    this.dir = options.dir;
    this.fileName = options.fileName ?? "azure-identity-token";
    this.path = join(options.dir, this.fileName);
  }

  /** Creates the volume with a first assertion, signed by a key generated for this file. */
  static async create(options: FederatedTokenFileOptions): Promise<FederatedTokenFile> {
    const { publicKey, privateKey } = await promisify(generateKeyPair)("rsa", { modulusLength: 2048 });
    const file = new FederatedTokenFile(options, publicKey, privateKey);
    await mkdir(options.dir, { recursive: true });
    await file.rotate();
    await symlink(join("..data", file.fileName), file.path);
    return file;
  }

  /** The assertion in the file now (its id and expiry). */
  get current(): FederatedToken {
    return this.#current;
  }

  /** What the file holds right now, read from disk (a test may also write it by hand). */
  async read(): Promise<string> {
    return (await readFile(this.path, "utf8")).trim();
  }

  /** Writes a new assertion the way the kubelet refreshes the token and returns what identifies it. */
  async rotate(options: RotateFederatedTokenOptions = {}): Promise<FederatedToken> {
    const now = Math.floor(Date.now() / 1000);
    const lifetime = options.lifetimeSeconds ?? this.#options.lifetimeSeconds ?? 3600;
    const subject = options.subject ?? this.#options.subject;
    const issuedAt = Math.min(now, now + lifetime - 1); // before `exp`, even for an expired assertion
    const [, namespace = "default", name = "default"] = subject.split(":").slice(1);
    const claims: FederatedAssertionClaims = {
      aud: [TOKEN_EXCHANGE_AUDIENCE],
      iss: this.#options.issuer,
      sub: subject,
      iat: issuedAt,
      nbf: issuedAt,
      exp: now + lifetime,
      jti: randomUUID(),
      "kubernetes.io": { namespace, serviceaccount: { name, uid: randomUUID() } },
    };
    const input = `${b64url({ alg: "RS256", kid: this.#keyId })}.${b64url(claims)}`;
    const assertion = `${input}.${sign("sha256", Buffer.from(input), this.#privateKey).toString("base64url")}`;
    await this.#swapIn(assertion);
    this.#current = {
      id: claims.jti,
      issuer: claims.iss,
      subject,
      audience: TOKEN_EXCHANGE_AUDIENCE,
      expiresAt: claims.exp * 1000,
    };
    return this.#current;
  }

  /** The claims of `assertion` when this file's key signed it, else why not. */
  verify(
    assertion: string,
  ):
    | { readonly ok: true; readonly claims: FederatedAssertionClaims }
    | { readonly ok: false; readonly reason: string } {
    const [header, payload, signature, extra] = assertion.split(".");
    if (!header || !payload || !signature || extra !== undefined) return { ok: false, reason: "malformed" };
    let claims: FederatedAssertionClaims;
    try {
      claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as FederatedAssertionClaims;
    } catch {
      return { ok: false, reason: "malformed" };
    }
    const good = verify(
      "sha256",
      Buffer.from(`${header}.${payload}`),
      this.#publicKey,
      Buffer.from(signature, "base64url"),
    );
    return good ? { ok: true, claims } : { ok: false, reason: "bad signature" };
  }

  /** Removes the volume directory. */
  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }

  async #swapIn(content: string): Promise<void> {
    const { dir } = this;
    this.#version += 1;
    const d = new Date();
    const stamp = `${d.getUTCFullYear()}_${pad(d.getUTCMonth() + 1)}_${pad(d.getUTCDate())}_${pad(d.getUTCHours())}_${pad(d.getUTCMinutes())}_${pad(d.getUTCSeconds())}`;
    const dataDir = `..${stamp}.${pad(this.#version, 9)}`;
    await mkdir(join(dir, dataDir));
    await writeFile(join(dir, dataDir, this.fileName), content, { mode: 0o644 });
    const temp = join(dir, "..data_tmp");
    await rm(temp, { force: true });
    await symlink(dataDir, temp);
    await rename(temp, join(dir, "..data")); // the atomic step
    const old = this.#dataDir;
    this.#dataDir = dataDir;
    if (old) await rm(join(dir, old), { recursive: true, force: true });
  }

  /** Names in the volume directory (for tests of the layout). */
  async entries(): Promise<string[]> {
    return (await readdir(this.dir)).sort();
  }
}
