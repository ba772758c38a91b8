import { spawn } from "node:child_process";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { AZURE_IDENTITY_VARIABLES } from "../setProcessEnv.js";

/** What the child printed: a token, or the error `getToken` threw. */
export type CredentialProcessResult =
  | { readonly ok: true; readonly token: string; readonly expiresOnTimestamp: number }
  | { readonly ok: false; readonly name: string; readonly message: string };

export interface CredentialProcessOptions {
  /** Default `https://cognitiveservices.azure.com/.default`. */
  readonly scope?: string;
  /** Default 30 s: the child is killed and the promise rejects. */
  readonly timeoutMs?: number;
  /** Default `DefaultAzureCredential`. */
  readonly credential?: "DefaultAzureCredential" | "WorkloadIdentityCredential" | "ClientSecretCredential";
}

// Resolved from packages/testing, where @azure/identity is a devDependency.
const PACKAGE_DIR = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const CHILD = `
const identity = await import("@azure/identity");
const [scope, name] = process.argv.slice(1);
const credential = name === "ClientSecretCredential"
  ? new identity.ClientSecretCredential(process.env.AZURE_TENANT_ID, process.env.AZURE_CLIENT_ID, process.env.AZURE_CLIENT_SECRET)
  : new identity[name]();
try {
  const t = await credential.getToken(scope);
  process.stdout.write(JSON.stringify({ ok: true, token: t.token, expiresOnTimestamp: t.expiresOnTimestamp }));
} catch (e) {
  process.stdout.write(JSON.stringify({ ok: false, name: String(e?.name), message: String(e?.message) }));
}
`;
// Variables of the test machine that could steer the child elsewhere.
const CLEARED = [
  ...AZURE_IDENTITY_VARIABLES,
  "HTTP_PROXY",
  "http_proxy",
  "https_proxy",
  "no_proxy",
  "ALL_PROXY",
  "all_proxy",
  "NODE_OPTIONS",
  "AZURE_REGIONAL_AUTHORITY_NAME",
];

/**
 * Runs `new <credential>().getToken(scope)` of the real `@azure/identity` in a new Node process with `env`
 * (`NODE_EXTRA_CA_CERTS` is only read at process start). Asynchronous spawn: the emulator answering the child
 * lives in this process.
 */
export function runCredentialProcess(
  env: Readonly<Record<string, string>>,
  options: CredentialProcessOptions = {},
): Promise<CredentialProcessResult> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !CLEARED.includes(name)));
  const args = [
    "--input-type=module",
    "-e",
    CHILD,
    options.scope ?? "https://cognitiveservices.azure.com/.default",
    options.credential ?? "DefaultAzureCredential",
  ];
  const child = spawn(process.execPath, args, {
    cwd: PACKAGE_DIR,
    env: { ...base, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`credential process timed out after ${options.timeoutMs ?? 30_000} ms`));
    }, options.timeoutMs ?? 30_000);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(stdout) as CredentialProcessResult);
      } catch {
        // stderr only: stdout may hold a token.
        reject(
          new Error(`credential process exited ${code} without a result; stderr: ${stderr.slice(0, 2000)}`),
        );
      }
    });
  });
}
