/** Where a static key comes from, as {@link explainKeyRejection} names it. */
export type KeyOrigin =
  | { readonly kind: "variable"; readonly name: string }
  | { readonly kind: "option" }
  | {
      readonly kind: "file";
      /** The file as messages name it, e.g. `the key file /run/secrets/key (COPILOT_PROVIDER_API_KEY_FILE)`. */
      readonly label: string;
      /** Whether the file was read again after the provider refused the key it holds. */
      readonly reread: boolean;
      /** What is wrong with the file now, while the last good key is served. */
      readonly problem?: string;
    };

/** What {@link explainKeyRejection} judges: fingerprints and names only, never a key. */
export interface KeyRejectionFacts {
  /** The provider's HTTP status. */
  readonly status: number;
  /** The fingerprint of the key the provider refused. */
  readonly refused: string;
  /** The fingerprint of the key the source serves now. */
  readonly current: string;
  readonly origin: KeyOrigin;
  /** The provider's base URL as `describe()` shows it (redacted). */
  readonly baseUrl: string;
}

const NEW_KEY = "regenerate the key or update the secret, e.g. key1/key2 of the resource";

/**
 * Why the provider may have refused a static key with a 401 or a 403, in sentences a person can act on: which key
 * (its fingerprint), where it came from, whether a new one can be had, what else refuses a key. Empty for any
 * other status.
 */
export function explainKeyRejection(facts: KeyRejectionFacts): string[] {
  if (facts.status === 401) return explain401(facts);
  if (facts.status === 403) return explain403(facts);
  return [];
}

function explain401({ refused, current, origin, baseUrl }: KeyRejectionFacts): string[] {
  const otherResource = `a valid key is refused too when it belongs to another resource or provider: check that it is a key of ${baseUrl}`;
  if (refused !== current) {
    return [
      origin.kind === "file"
        ? `the provider refused a key (fingerprint ${refused}) that is no longer current: ${origin.label} now holds another key (fingerprint ${current}), which later requests get`
        : `the provider refused a key (fingerprint ${refused}) this source did not hand out: its key, from ${where(origin)}, has fingerprint ${current}`,
    ];
  }
  return [refusedKey(refused, origin), otherResource];
}

function refusedKey(refused: string, origin: KeyOrigin): string {
  switch (origin.kind) {
    case "variable":
      return `${origin.name} holds a key the provider refused (fingerprint ${refused}): set it to a valid key (e.g. key1/key2 of the resource) and restart: a key from a variable is read once, at start`;
    case "option":
      return `the apiKey option holds a key the provider refused (fingerprint ${refused}): give a valid key (e.g. key1/key2 of the resource); a key given as an option never changes`;
    case "file":
      if (origin.problem !== undefined)
        return `${origin.problem}, so the last good key, which the provider refused (fingerprint ${refused}), is still served: put a valid key in the file (${NEW_KEY})`;
      return origin.reread
        ? `${origin.label} was re-read now and still holds the key the provider refused (fingerprint ${refused}): ${NEW_KEY}; a new key in the file is adopted without a restart`
        : `${origin.label} holds the key the provider refused (fingerprint ${refused}): ${NEW_KEY}; a new key in the file is adopted without a restart`;
  }
}

function explain403({ refused, origin }: KeyRejectionFacts): string[] {
  return [
    `the provider refused the key (fingerprint ${refused}) from ${where(origin)} with 403 Forbidden: the key is usually not the problem, the resource refuses this client`,
    "check the resource's network rules or firewall (public network access off, selected networks, a private endpoint only: allow this client's network), and whether key authentication is disabled on it (disableLocalAuth: it then takes Microsoft Entra tokens only; use COPILOT_PROVIDER_AUTH=azure-entra)",
  ];
}

function where(origin: KeyOrigin): string {
  if (origin.kind === "variable") return origin.name;
  if (origin.kind === "option") return "the apiKey option";
  return origin.label;
}
