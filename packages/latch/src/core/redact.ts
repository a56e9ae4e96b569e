/**
 * Redaction: what latch hands a logger has no token, cookie, secret or password left in it.
 *
 * Four nets, because a leak can come from anywhere — an adapter's error that quotes a row, a
 * provider's error body, an app's debug metadata:
 * 1. by name: object keys that name a credential (`access_token`, `password`, `cookie`, …), or
 *    end in one after `_`, `-` or `.` (`DB_PASSWORD`, `x-auth-token`);
 * 2. by value: the configured secrets themselves, wherever they appear;
 * 3. by shape: compact JWTs/JWEs, `Bearer …`, an `Authorization` header's credential in any
 *    scheme, credentials in URLs and query strings, known token prefixes, and any run of 40 or
 *    more token characters (random session tokens are 64 hex digits; user ids such as UUIDs are
 *    shorter and survive);
 * 4. by context: a shorter value the text itself says is a credential — `sessionToken=…`,
 *    `token: '…'`, the key a database error quotes for a credential column or index. next-auth's
 *    session tokens are UUIDs, which the shape net must let through (user ids look the same).
 */

/** What a redacted value is replaced with. */
export const REDACTED = "[redacted]";

// Credential names, written in snake case. Keys, columns and index names are compared
// lower-case with `_` and `-` removed, so `sessionToken`, `session-token` and `SESSION_TOKEN` are one name.
const CREDENTIAL_NAMES = [
  "access_token",
  "refresh_token",
  "id_token",
  "token",
  "session_token",
  "client_secret",
  "secret",
  "secrets",
  "password",
  "passwd",
  "code_verifier",
  "cookie",
  "cookies",
  "set_cookie",
  "authorization",
  "api_key",
  "private_key",
  "otp",
  "csrf_token",
  "x_api_key",
  "proxy_authorization",
];
const SECRET_KEYS = new Set(CREDENTIAL_NAMES.map(normalizedKey));
/** The most words a credential name has (`x_api_key`): longer runs of an index name's words cannot be one. */
const MAX_NAME_WORDS = Math.max(...CREDENTIAL_NAMES.map((name) => name.split("_").length));
/** A credential name as text spells it: any case, `_`, `-` or nothing between its words. */
const CREDENTIAL_NAME = CREDENTIAL_NAMES.map((name) => name.replace(/_/g, "[_-]?")).join("|");

// Query and form parameters that carry credentials, in URLs and bodies quoted in messages.
const SECRET_PARAMS = "access_token|refresh_token|id_token|token|code|code_verifier|client_secret|password|state|nonce|csrfToken";

// An `Authorization` header's name and separator, up to its scheme and the space after it
// (opens group 1; the quoted variant adds group 2, the quote).
const AUTHORIZATION = `(?<![A-Za-z0-9])(authorization["']?[ \\t]{0,8}[=:][ \\t]{0,8}`;
const AUTH_SCHEME = "[A-Za-z][A-Za-z0-9!#$%&*+.^_`|~-]{0,63}[ \\t]{1,8}";
// A token68 or one auth-param (`name=value`, `name="quoted"`, unterminated when the line was cut).
const AUTH_CHARS = "[A-Za-z0-9!#$%*+.^_`|~/:-]";
const AUTH_ITEM = `${AUTH_CHARS}{1,1024}(?:[ \\t]{0,8}=[ \\t]{0,8}(?:"(?:[^"\\\\\\r\\n]|\\\\.){0,1024}"?|${AUTH_CHARS}{1,1024})|={0,8})`;
const AUTH_CREDENTIAL = `${AUTH_ITEM}(?:[ \\t]{0,8},[ \\t]{0,8}${AUTH_ITEM}){0,64}`;

/** Builds a match's replacement from the match and its groups. */
type Replacer = (match: string, ...groups: string[]) => string;

const PATTERNS: ReadonlyArray<[RegExp, string | Replacer]> = [
  // Compact JWS (3 parts) and JWE (5 parts).
  // Every pattern starts a match only where a run of its characters begins (the lookbehinds),
  // and bounds what it scans: text an attacker chose must not cost quadratic time.
  [/(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{2,}(?:\.[A-Za-z0-9_-]*){2,4}/g, REDACTED],
  // A raw `user:password` after Basic too.
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=:-]+/gi, `$1 ${REDACTED}`],
  // `Authorization: <scheme> <credential>` (and `Proxy-Authorization`) in any scheme — `Token …`,
  // `ApiKey …`, Digest's parameters: the whole credential after the scheme. A quoted value
  // (JSON, an object as Node prints it) to its closing quote; an unquoted one as far as the
  // credential's grammar goes (a token68, or `name=value` parameters separated by commas).
  [new RegExp(`${AUTHORIZATION}(["'])${AUTH_SCHEME})(?:(?!\\2)[^\\\\\\r\\n]|\\\\.){1,8192}`, "gi"), `$1${REDACTED}`],
  [new RegExp(`${AUTHORIZATION}${AUTH_SCHEME})${AUTH_CREDENTIAL}`, "gi"), `$1${REDACTED}`],
  // user:password@ in URLs (database and SMTP URLs). The user info ends at the last `@` before
  // the path, as URL parsers read it: a raw `@` in the password (or in a user name that is an
  // email address) is part of it, and so are a raw `?` or `#` (drivers take `hunter#42` as it is);
  // `host:443?email=a@b` is redacted too, the safe side.
  [/(?<![A-Za-z0-9+.-])([a-z][a-z0-9+.-]{0,31}:\/\/[^\s:/?#]{0,256}:)[^\s/]{1,256}@/gi, `$1${REDACTED}@`],
  [new RegExp(`([?&;\\s]|^)(${SECRET_PARAMS})=[^&\\s"';]+`, "g"), `$1$2=${REDACTED}`],
  // "key": "value" in quoted JSON.
  [/("(?:access_token|refresh_token|id_token|client_secret|password|code_verifier|session_token|sessionToken|token)"\s*:\s*)"[^"]*"/g, `$1"${REDACTED}"`],
  // Provider token formats (GitHub, Google, Slack) and latch's own refresh tokens.
  [/\b(?:gh[pousr]_|github_pat_|ya29\.|xox[abpr]-|latch_rt_)[A-Za-z0-9._-]+/g, REDACTED],
  // `name=value`, `name: value`, `{ name: 'value' }` where the name is a credential's: the value,
  // from 8 characters (a legacy UUID session token is 36). A name may end a longer one after
  // `_`, `-` or `.` (`AUTH_SECRET`, `X-Auth-Token`); a word that only contains a name
  // (`hashPassword`, `token_type`) does not count; `undefined` stays, as the key rule keeps it.
  [new RegExp(`(?<![A-Za-z0-9])((?:${CREDENTIAL_NAME})["']?[ \\t]{0,8}[=:][ \\t]{0,8}["']?)(?!undefined\\b)[^\\s"'\`,;&()<>{}[\\]]{8,}`, "gi"), `$1${REDACTED}`],
  // PostgreSQL's `Key ("userId", "sessionToken")=(42, …) already exists.` (and its foreign-key and
  // exclusion variants): the whole value list when a column is a credential — which value is
  // which cannot be told once a value holds a comma. The list ends at the first `) already
  // exists` (or sibling) or a `).` ending the line, else at the end of the line: a match never
  // fails once it has started, so the lazy scan is paid once.
  [/(?<![A-Za-z0-9_])(key \()([^()\n]{1,512})(\)=\()[^\n]*?(?=\) (?:already exists|is still referenced|is not present|conflicts with)|\)\.?$|$)/gim, (match, open: string, columns: string, close: string) => (namesCredentialColumn(columns) ? `${open}${columns}${close}${REDACTED}` : match)],
  // MySQL's and MariaDB's `Duplicate entry '…' for key 'sessions.sessionToken'`: the value, when
  // the index is named after a credential. The value is not escaped and may hold a quote; MySQL
  // cuts it at 192 characters, so the scan for the end is bounded.
  [/(?<![A-Za-z0-9_])(Duplicate entry ')[^\n]{0,256}?(' for key ')([^'\n]{1,256})'/g, (match, open: string, middle: string, index: string) => (namesCredentialIndex(index) ? `${open}${REDACTED}${middle}${index}'` : match)],
  // Anything long and random-looking.
  [/[A-Za-z0-9_-]{40,}/g, REDACTED],
];

/** True when a column of PostgreSQL's key list (`"userId", "sessionToken"`) names a credential. */
function namesCredentialColumn(columns: string): boolean {
  return columns.split(",").some((column) => SECRET_KEYS.has(normalizedKey(column.trim().replace(/"/g, ""))));
}

/**
 * True when an index name holds a credential name among its words: `sessions.sessionToken`,
 * `session_token_unique`, `sessions_sessionToken_key`; not `PRIMARY` or `users.email`.
 */
function namesCredentialIndex(index: string): boolean {
  // MySQL 8 prefixes the table: `sessions.sessionToken`.
  const dot = index.lastIndexOf(".");
  const name = index.slice(dot + 1);
  // Auth.js's MySQL schemas key the session table by its token: `session.PRIMARY`.
  if (name === "PRIMARY" && /^sessions?$/i.test(index.slice(0, Math.max(dot, 0)))) return true;
  const words = name.split(/[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])/).filter(Boolean).map((word) => word.toLowerCase());
  for (let start = 0; start < words.length; start++) {
    let run = "";
    for (const word of words.slice(start, start + MAX_NAME_WORDS)) {
      run += word;
      if (SECRET_KEYS.has(run)) return true;
    }
  }
  return false;
}

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
  let cut = "";
  if (out.length > MAX_STRING) {
    cut = `…[${out.length - MAX_STRING} more characters]`;
    out = out.slice(0, MAX_STRING);
  }
  for (const [pattern, replacement] of PATTERNS) out = typeof replacement === "string" ? out.replace(pattern, replacement) : out.replace(pattern, replacement);
  // The note goes on after the search: a value that runs to the end of the line takes the rest with it.
  return `${out}${cut}`;
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

/**
 * True when a key names a credential: exactly (`password`, `sessionToken`, `Set-Cookie`), or as
 * its last words after `_`, `-`, `.` or a camelCase hump (`DB_PASSWORD`, `x-auth-token`,
 * `authjs.session-token`, `currentPassword`). A name that only starts with one (`token_type`) does
 * not count.
 */
function namesCredentialKey(key: string): boolean {
  if (SECRET_KEYS.has(normalizedKey(key))) return true;
  // camelCase counts as words too: `currentPassword` of a password-change form is a password.
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .split(/[-_.]+/)
    .filter(Boolean);
  let run = "";
  for (const word of words.slice(-MAX_NAME_WORDS).reverse()) {
    run = `${word.toLowerCase()}${run}`;
    if (SECRET_KEYS.has(run)) return true;
  }
  return false;
}

function redactEntry(key: string, value: unknown, secrets: readonly string[], seen: WeakMap<object, unknown>, depth: number): unknown {
  // A boolean says whether there is a credential (`has_password`), never what it is.
  if (value !== null && value !== undefined && value !== "" && typeof value !== "boolean" && namesCredentialKey(key)) return REDACTED;
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
 * (`access_token`, `password`, `cookie`, `authorization`, …, and keys ending in one after `_`,
 * `-` or `.`, such as `DB_PASSWORD` or `x-auth-token`; a boolean is kept), by value (the
 * `secrets` given), by shape (JWTs, `Bearer …`, an `Authorization` credential in any scheme,
 * URL passwords up to the last `@` before the host, token query parameters, known provider token
 * prefixes, runs of 40+ token characters), and by context (a value after a credential's name,
 * `sessionToken=…`; the values a database's key error quotes for a credential column). Errors
 * keep their class and own properties, with message, stack and cause redacted. Cycles are kept,
 * depth is capped.
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
