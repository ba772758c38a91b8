import { KeyObject, webcrypto } from "node:crypto";
import type { X509CertificateGenerator } from "@peculiar/x509";

// The WebCrypto type @peculiar/x509 expects (the DOM's `Crypto`; this package compiles without the DOM lib).
type X509Crypto = NonNullable<Parameters<typeof X509CertificateGenerator.create>[1]>;

export interface ServerCertificateOptions {
  /** DNS names the certificate is valid for, e.g. `login.microsoftonline.com`. At least one. */
  readonly hosts: readonly string[];
  /** IP addresses it is valid for too. Default `["127.0.0.1"]` (direct connections in tests). */
  readonly ipAddresses?: readonly string[];
  /** Default 1. */
  readonly validDays?: number;
}

/** A server certificate signed by a CA made for it alone. */
export interface ServerCertificate {
  /** PEM of the CA: what `NODE_EXTRA_CA_CERTS` (or a TLS client's `ca`) must trust. */
  readonly caCertificate: string;
  /** PEM of the server's certificate followed by the CA's (the chain a TLS server presents). */
  readonly certificateChain: string;
  /** PEM (PKCS#8) of the server's private key. */
  readonly privateKey: string;
}

const DNS_NAME =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
// ECDSA P-256: keys in milliseconds (RSA 2048 takes a noticeable share of a test's budget), and every TLS
// client of interest (Node/OpenSSL) accepts it.
const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

/**
 * Generates a CA and a TLS server certificate for `hosts` signed by it, with `@peculiar/x509` (Node has
 * no API that creates X.509 certificates; no `openssl` CLI is needed).
 */
export async function createServerCertificate(options: ServerCertificateOptions): Promise<ServerCertificate> {
  const hosts = [...new Set(options.hosts.map((h) => h.toLowerCase()))];
  if (hosts.length === 0) throw new TypeError("createServerCertificate: hosts must name at least one host");
  for (const host of hosts) {
    if (!DNS_NAME.test(host))
      throw new TypeError(`createServerCertificate: ${JSON.stringify(host)} is not a DNS name`);
  }
  // tsyringe (a dependency of @peculiar/x509) needs the Reflect metadata polyfill before it loads; loaded
  // here, on first use, so importing this package does not change the global Reflect.
  await import("reflect-metadata");
  const x509 = await import("@peculiar/x509");
  const crypto = webcrypto as unknown as X509Crypto;
  const now = Date.now();
  const notBefore = new Date(now - 60 * 60 * 1000); // an hour of slack for clock skew
  const notAfter = new Date(now + (options.validDays ?? 1) * 24 * 60 * 60 * 1000);
  const generate = () => webcrypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]);
  const [caKeys, serverKeys] = await Promise.all([generate(), generate()]);

  const ca = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerial(),
      name: `CN=copilot-byok test CA ${now}, O=copilot-byok testing`,
      notBefore,
      notAfter,
      signingAlgorithm: ALGORITHM,
      keys: caKeys,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  const names = [
    ...hosts.map((value) => ({ type: "dns" as const, value })),
    ...(options.ipAddresses ?? ["127.0.0.1"]).map((value) => ({ type: "ip" as const, value })),
  ];
  const server = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerial(),
      subject: `CN=${hosts[0]}`,
      issuer: ca.subject,
      notBefore,
      notAfter,
      signingAlgorithm: ALGORITHM,
      publicKey: serverKeys.publicKey,
      signingKey: caKeys.privateKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension(names),
        await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey, false, crypto),
        await x509.SubjectKeyIdentifierExtension.create(serverKeys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  const caCertificate = ca.toString("pem");
  const privateKey = KeyObject.from(serverKeys.privateKey)
    .export({ type: "pkcs8", format: "pem" })
    .toString();
  return { caCertificate, certificateChain: `${server.toString("pem")}\n${caCertificate}\n`, privateKey };
}

/** A positive 16-byte serial number in hex (the top bit clear: DER integers are signed). */
function randomSerial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return Buffer.from(bytes).toString("hex");
}
