/**
 * Redaction: what latch hands a logger has no token, cookie, secret or password left in it.
 *
 * Three nets, because a leak can come from anywhere — an adapter's error that quotes a row, a
 * provider's error body, an app's debug metadata:
 * 1. by name: object keys that name a credential (`access_token`, `password`, `cookie`, …);
 * 2. by value: the configured secrets themselves, wherever they appear;
 * 3. by shape: compact JWTs/JWEs, `Bearer …`, credentials in URLs and query strings, known
 *    token prefixes, and any run of 40 or more token characters (random session tokens are 64
 *    hex digits; user ids such as UUIDs are shorter and survive).
 */

/** What a redacted value is replaced with. */
export const REDACTED = "[redacted]";

// Keys compared lower-case with `_` and `-` removed.
const SECRET_KEYS = new Set([
  "accesstoken",
  "refreshtoken",
  "idtoken",
  "token",
  "sessiontoken",
  "clientsecret",
  "secret",
  "secrets",
  "password",
  "passwd",
  "codeverifier",
  "cookie",
  "cookies",
  "setcookie",
  "authorization",
  "apikey",
  "privatekey",
  "otp",
  "csrftoken",
  "xapikey",
  "proxyauthorization",
]);

// Query and form parameters that carry credentials, in URLs and bodies quoted in messages.
const SECRET_PARAMS = "access_token|refresh_token|id_token|token|code|code_verifier|client_secret|password|state|nonce|csrfToken";

const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  // Compact JWS (3 parts) and JWE (5 parts).
  // Every pattern starts a match only where a run of its characters begins (the lookbehinds),
  // and bounds what it scans: text an attacker chose must not cost quadratic time.
  [/(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{2,}(?:\.[A-Za-z0-9_-]*){2,4}/g, REDACTED],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`],
  // user:password@ in URLs (database and SMTP URLs).
  [/(?<![A-Za-z0-9+.-])([a-z][a-z0-9+.-]{0,31}:\/\/[^\s:/@]{0,256}:)[^\s@/]{1,256}@/gi, `$1${REDACTED}@`],
  [new RegExp(`([?&;\\s]|^)(${SECRET_PARAMS})=[^&\\s"';]+`, "g"), `$1$2=${REDACTED}`],
  // "key": "value" in quoted JSON.
  [/("(?:access_token|refresh_token|id_token|client_secret|password|code_verifier|session_token|sessionToken|token)"\s*:\s*)"[^"]*"/g, `$1"${REDACTED}"`],
  // Provider token formats (GitHub, Google, Slack) and latch's own refresh tokens.
  [/\b(?:gh[pousr]_|github_pat_|ya29\.|xox[abpr]-|latch_rt_)[A-Za-z0-9._-]+/g, REDACTED],
  // Anything long and random-looking.
  [/[A-Za-z0-9_-]{40,}/g, REDACTED],
];

/** Secrets shorter than this are not searched for: they would match ordinary text. */
const MIN_SECRET_LENGTH = 8;
const MAX_DEPTH = 6;

function normalizedKey(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, "");
}

/** Longer strings are cut before they are searched: a log line needs no more, and the cost stays bounded. */
const MAX_STRING = 8192;

/** `text` with every known secret and every token-shaped substring replaced. */
export function redactString(text: string, secrets: readonly string[] = []): string {
  let out = text;
  // Secrets first, on the whole text (split/join is linear): a cut must not leave half a secret.
  for (const secret of secrets) if (secret.length >= MIN_SECRET_LENGTH) out = out.split(secret).join(REDACTED);
  if (out.length > MAX_STRING) out = `${out.slice(0, MAX_STRING)}…[${out.length - MAX_STRING} more characters]`;
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

function redactError(error: Error, secrets: readonly string[], seen: WeakMap<object, unknown>, depth: number): Error {
  if (!Object.hasOwn(error, "message")) {
    // A host error (DOMException) keeps name and message in internal slots its prototype's
    // getters read: a copy with that prototype would throw on every read. A plain Error it is.
    const plain = new Error(redactString(String(error.message), secrets));
    plain.name = error.name;
    seen.set(error, plain);
    if (error.cause !== undefined) plain.cause = redactValue(error.cause, secrets, seen, depth + 1);
    plain.stack = typeof error.stack === "string" ? redactString(error.stack, secrets) : `${plain.name}: ${plain.message}`;
    return plain;
  }
  // Same prototype, so `instanceof` and `error.type` still work in the app's logger.
  const copy = Object.create(Object.getPrototypeOf(error) as object) as Error;
  seen.set(error, copy);
  for (const key of Reflect.ownKeys(error)) {
    const descriptor = Object.getOwnPropertyDescriptor(error, key);
    if (!descriptor) continue;
    if ("value" in descriptor) {
      const name = typeof key === "string" ? key : "";
      descriptor.value = name === "stack" || name === "message" ? redactValue(descriptor.value, secrets, seen, depth + 1) : redactEntry(name, descriptor.value, secrets, seen, depth + 1);
    } else {
      // Accessors could run anything: drop them.
      continue;
    }
    Object.defineProperty(copy, key, descriptor);
  }
  return copy;
}

function redactEntry(key: string, value: unknown, secrets: readonly string[], seen: WeakMap<object, unknown>, depth: number): unknown {
  if (SECRET_KEYS.has(normalizedKey(key)) && value !== null && value !== undefined && value !== "") return REDACTED;
  return redactValue(value, secrets, seen, depth);
}

function redactValue(value: unknown, secrets: readonly string[], seen: WeakMap<object, unknown>, depth: number): unknown {
  if (typeof value === "string") return redactString(value, secrets);
  if (typeof value !== "object" || value === null) return typeof value === "function" ? "[function]" : value;
  const known = seen.get(value);
  if (known !== undefined) return known;
  if (depth > MAX_DEPTH) return "[…]";
  if (value instanceof Error) return redactError(value, secrets, seen, depth);
  if (value instanceof Date) return value;
  if (value instanceof URL) return redactString(value.href, secrets);
  if (value instanceof Headers) return redactValue(Object.fromEntries(value), secrets, seen, depth);
  if (value instanceof Map) return redactValue(Object.fromEntries(value), secrets, seen, depth);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `[${value.byteLength} bytes]`;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const item of value) out.push(redactValue(item, secrets, seen, depth + 1));
    return out;
  }
  const out: Record<string, unknown> = {};
  seen.set(value, out);
  for (const [key, item] of Object.entries(value)) out[key] = redactEntry(key, item, secrets, seen, depth + 1);
  return out;
}

/**
 * A copy of `value` safe to log: credentials replaced by `"[redacted]"` — by key name
 * (`access_token`, `password`, `cookie`, `authorization`, …), by value (the `secrets` given),
 * and by shape (JWTs, `Bearer …`, URL passwords, token query parameters, known provider token
 * prefixes, runs of 40+ token characters). Errors keep their class and own properties, with
 * message, stack and cause redacted. Cycles are kept, depth is capped.
 *
 * latch runs every log line through it; use it in your own `logger` or `audit` sinks for data
 * that did not come from latch.
 *
 * @example
 * ```ts
 * import { redact } from "latch";
 * console.log(redact({ email: "a@b.c", access_token: "gho_…" })); // { email: "a@b.c", access_token: "[redacted]" }
 * ```
 */
export function redact<T>(value: T, secrets: readonly string[] = []): T {
  return redactValue(value, secrets, new WeakMap(), 0) as T;
}
