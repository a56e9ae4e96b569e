/**
 * `latch/password`: hash and verify passwords for the Credentials provider with scrypt
 * (node:crypto, run on libuv's thread pool — never the synchronous variant).
 *
 * Stored hashes are self-describing, PHC-style:
 * `$scrypt$ln=17,r=8,p=1$<16-byte salt, base64 without padding>$<32-byte key, base64 without padding>`.
 * Verification reads the cost from the string, so hashes made with other (bounded) parameters
 * keep verifying after a change of defaults; {@link needsRehash} tells when to upgrade one.
 *
 * Passwords are NFKC-normalized (NIST SP 800-63B), never truncated, and at most
 * {@link MAX_PASSWORD_BYTES} UTF-8 bytes after normalization.
 *
 * Node.js only: this module imports `node:crypto`, so use it from the Node.js runtime (route
 * handlers, server actions, `authorize`), not from Edge middleware.
 *
 * @example
 * ```ts
 * import Credentials from "latch/providers/credentials";
 * import { verifyPassword } from "latch/password";
 *
 * Credentials({
 *   authorize: async ({ email, password }) => {
 *     const user = await db.findUser(String(email));
 *     return (await verifyPassword(String(password), user?.passwordHash)) ? user : null;
 *   },
 * });
 * ```
 *
 * @module
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";

/**
 * The longest password accepted, in UTF-8 bytes after NFKC normalization. Longer input is never
 * truncated: {@link hashPassword} throws and {@link verifyPassword} returns `false`. The cap keeps
 * a request from making the server hash megabytes (hash-DoS); 4096 bytes is far beyond any
 * passphrase, so use it for form validation too.
 *
 * @example
 * ```ts
 * import { MAX_PASSWORD_BYTES, hashPassword } from "latch/password";
 *
 * // Sign-up: reject before hashing, with a message the user understands.
 * if (new TextEncoder().encode(password.normalize("NFKC")).length > MAX_PASSWORD_BYTES) {
 *   return { error: "Password is too long" };
 * }
 * await db.createUser({ email, passwordHash: await hashPassword(password) });
 *
 * // Sign-in: verifyPassword simply answers false for such input.
 * Credentials({
 *   authorize: async ({ email, password }) => {
 *     const user = await db.findUser(String(email));
 *     return (await verifyPassword(String(password), user?.passwordHash)) ? user : null;
 *   },
 * });
 * ```
 */
export const MAX_PASSWORD_BYTES = 4096;

/**
 * scrypt costs for {@link createPasswordHasher}. Every field is optional; the defaults are
 * OWASP's recommendation, N = 2^17, r = 8, p = 1 (128 MiB and about half a second of one core).
 *
 * Accepted ranges — the same ones a stored hash must satisfy to be verified at all:
 * `logN` 10–20, `r` 1–32, `p` 1–16, and in addition scrypt's memory (128·N·r bytes) at most
 * 256 MiB and its work (N·r·p) at most 4× the default's.
 *
 * New hashes must also cost at least OWASP's weakest scrypt settings (Password Storage Cheat
 * Sheet): work N·r·p at least 2^14·8·5 = 655,360 (N = 2^14, r = 8, p = 5, or N = 2^13, r = 8,
 * p = 10) and memory 128·N·r at least 8 MiB. Less memory is bought back with more `p`, never
 * with cheaper guessing. Only {@link PasswordHasherOptions.unsafeLowCost} lifts that floor.
 *
 * @example
 * ```ts
 * // A low-memory host: 16 MiB per hash instead of 128 MiB, and five passes to make up for it
 * // (OWASP's N = 2^14 setting).
 * const passwords = createPasswordHasher({ logN: 14, p: 5 });
 *
 * Credentials({
 *   authorize: async ({ email, password }) => {
 *     const user = await db.findUser(String(email));
 *     return (await passwords.verify(String(password), user?.passwordHash)) ? user : null;
 *   },
 * });
 * ```
 */
export interface PasswordHasherOptions {
  /** log2 of scrypt's CPU/memory cost N (default 17, i.e. N = 131072). Integer, 10–20. */
  logN?: number;
  /** scrypt's block size r (default 8). Integer, 1–32. */
  r?: number;
  /** scrypt's parallelization p (default 1). Integer, 1–16. */
  p?: number;
  /**
   * For tests only: lets new hashes be made below OWASP's minimum costs, so a suite can hash
   * quickly (`{ logN: 10, unsafeLowCost: true }` takes about a millisecond). Such hashes are
   * cheap to guess when a database leaks: never set it in production code.
   */
  unsafeLowCost?: boolean;
}

/**
 * A password hasher bound to one set of scrypt costs, as {@link createPasswordHasher} returns it.
 * Its functions do not use `this`, so they can be destructured.
 *
 * @example
 * ```ts
 * // OWASP's N = 2^16 setting: 64 MiB per hash, two passes.
 * const { hash, verify, needsRehash } = createPasswordHasher({ logN: 16, p: 2 });
 *
 * Credentials({
 *   authorize: async ({ email, password }) => {
 *     const user = await db.findUser(String(email));
 *     // Verify before checking `user`: unknown users must cost the same hash.
 *     const ok = await verify(String(password), user?.passwordHash);
 *     if (!ok || !user) return null;
 *     if (needsRehash(user.passwordHash)) await db.setPasswordHash(user.id, await hash(String(password)));
 *     return user;
 *   },
 * });
 * ```
 */
export interface PasswordHasher {
  /**
   * Hashes `password` with a fresh random salt at this hasher's costs.
   * Throws a `TypeError` for an empty password, one over {@link MAX_PASSWORD_BYTES} after
   * normalization, or one that is not well-formed Unicode (a lone UTF-16 surrogate).
   */
  readonly hash: (password: string) => Promise<string>;
  /**
   * `true` when `password` matches `stored`. Never throws for bad input: a missing (`null` or
   * `undefined`), malformed or out-of-bounds `stored`, and an empty, over-long or ill-formed
   * `password`, all answer `false` after the same scrypt work as a wrong password (against a
   * dummy hash at this hasher's costs when `stored` is unusable), so the timing does not tell
   * them apart. (The only rejections are node:crypto failures of a broken host, such as running
   * out of memory.)
   */
  readonly verify: (password: string, stored: string | null | undefined) => Promise<boolean>;
  /**
   * `true` when `stored` uses a lower `ln`, `r` or `p` than this hasher (or cannot be read), so
   * the app should replace it with `hash(password)` right after a successful `verify`. Stronger
   * stored costs are kept: it never asks for a downgrade.
   */
  readonly needsRehash: (stored: string | null | undefined) => boolean;
}

interface Params {
  readonly logN: number;
  readonly r: number;
  readonly p: number;
}

interface ParsedHash extends Params {
  readonly salt: Buffer;
  readonly key: Buffer;
}

const DEFAULTS: Params = { logN: 17, r: 8, p: 1 };
const SALT_BYTES = 16;
const KEY_BYTES = 32;
const LOG_N_RANGE = [10, 20] as const;
const R_RANGE = [1, 32] as const;
const P_RANGE = [1, 16] as const;
/** scrypt's big array is 128·N·r bytes: 128 MiB by default, never above twice that. */
const MAX_MEMORY_BYTES = 256 * 1024 * 1024;
/** scrypt's running time is proportional to N·r·p: never above 4× the default's. */
const MAX_WORK = 4 * 2 ** DEFAULTS.logN * DEFAULTS.r * DEFAULTS.p;
/**
 * The least a new hash may cost, from OWASP's weakest scrypt settings (N = 2^14, r = 8, p = 5 and
 * N = 2^13, r = 8, p = 10; ASVS 11.4.2): the work of a guess, and the memory it ties up. Stored
 * hashes below it still verify (and {@link needsRehash} asks for them to be replaced).
 */
const MIN_NEW_WORK = 2 ** 14 * 8 * 5;
const MIN_NEW_MEMORY_BYTES = 8 * 1024 * 1024;
/**
 * Strings longer than this (in UTF-16 code units) are refused before normalizing them: NFKC
 * composition shrinks text by at most about 4×, and UTF-8 never takes fewer bytes than UTF-16
 * code units, so none of them could normalize to within {@link MAX_PASSWORD_BYTES}.
 */
const MAX_RAW_LENGTH = 8 * MAX_PASSWORD_BYTES;

const B64 = "[A-Za-z0-9+/]";
const INT = "(0|[1-9][0-9]{0,2})";
const HASH_PATTERN = new RegExp(`^\\$scrypt\\$ln=${INT},r=${INT},p=${INT}\\$(${B64}+)\\$(${B64}+)$`);
const LONE_SURROGATE = /\p{Cs}/u;

function inRange(value: number, [min, max]: readonly [number, number]): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

/** The reason `params` are refused, or `undefined` when they are within every bound. */
function paramsProblem({ logN, r, p }: Params): string | undefined {
  if (!inRange(logN, LOG_N_RANGE)) return `logN must be an integer from ${LOG_N_RANGE[0]} to ${LOG_N_RANGE[1]}`;
  if (!inRange(r, R_RANGE)) return `r must be an integer from ${R_RANGE[0]} to ${R_RANGE[1]}`;
  if (!inRange(p, P_RANGE)) return `p must be an integer from ${P_RANGE[0]} to ${P_RANGE[1]}`;
  if (128 * 2 ** logN * r > MAX_MEMORY_BYTES) return `scrypt memory 128·2^logN·r must be at most ${MAX_MEMORY_BYTES / 2 ** 20} MiB`;
  if (2 ** logN * r * p > MAX_WORK) return `scrypt work 2^logN·r·p must be at most ${MAX_WORK} (4× the default)`;
  return undefined;
}

/** The reason `params` are too cheap for new hashes, or `undefined` when they meet OWASP's minimum. */
function weakParamsProblem({ logN, r, p }: Params): string | undefined {
  const work = 2 ** logN * r * p;
  const memory = 128 * 2 ** logN * r;
  if (work >= MIN_NEW_WORK && memory >= MIN_NEW_MEMORY_BYTES) return undefined;
  return (
    `new hashes must cost at least OWASP's weakest scrypt setting (N = 2^14, r = 8, p = 5): work 2^logN·r·p at least ${MIN_NEW_WORK} and memory 128·2^logN·r at least ${MIN_NEW_MEMORY_BYTES / 2 ** 20} MiB, ` +
    `but logN ${logN}, r ${r}, p ${p} give work ${work} and ${memory / 2 ** 20} MiB — cheaper hashes make a leaked database cheap to crack. ` +
    `On a low-memory host raise p instead (e.g. { logN: 14, p: 5 }); only tests may pass unsafeLowCost: true`
  );
}

/** Strict, canonical base64 without padding, of exactly `bytes` bytes. */
function decodeBase64(text: string, bytes: number): Buffer | undefined {
  if (text.length !== Math.ceil((bytes * 4) / 3)) return undefined;
  const buffer = Buffer.from(text, "base64");
  // Buffer.from skips characters it does not know; re-encoding catches those and non-zero pad bits.
  if (buffer.length !== bytes || encodeBase64(buffer) !== text) return undefined;
  return buffer;
}

function encodeBase64(buffer: Buffer): string {
  return buffer.toString("base64").replace(/=+$/, "");
}

/** The parts of a stored hash, or `undefined` when it is malformed or its costs are out of bounds. */
function parseHash(stored: unknown): ParsedHash | undefined {
  if (typeof stored !== "string" || stored.length > 200) return undefined;
  const match = HASH_PATTERN.exec(stored);
  if (!match) return undefined;
  const [, ln, r, p, salt64, key64] = match;
  if (ln === undefined || r === undefined || p === undefined || salt64 === undefined || key64 === undefined) return undefined;
  const params: Params = { logN: Number(ln), r: Number(r), p: Number(p) };
  if (paramsProblem(params) !== undefined) return undefined;
  const salt = decodeBase64(salt64, SALT_BYTES);
  const key = decodeBase64(key64, KEY_BYTES);
  if (!salt || !key) return undefined;
  return { ...params, salt, key };
}

function formatHash({ logN, r, p }: Params, salt: Buffer, key: Buffer): string {
  return `$scrypt$ln=${logN},r=${r},p=${p}$${encodeBase64(salt)}$${encodeBase64(key)}`;
}

/** The password as hashed — NFKC-normalized UTF-8 — or the reason it is refused. */
function encodePassword(password: unknown): { bytes: Buffer } | { problem: string } {
  if (typeof password !== "string") return { problem: "password must be a string" };
  if (password.length > MAX_RAW_LENGTH) return { problem: `password must be at most ${MAX_PASSWORD_BYTES} UTF-8 bytes after NFKC normalization` };
  const normalized = password.normalize("NFKC");
  if (normalized.length === 0) return { problem: "password must not be empty" };
  if (LONE_SURROGATE.test(normalized)) return { problem: "password must be well-formed Unicode (it contains a lone UTF-16 surrogate)" };
  const bytes = Buffer.from(normalized, "utf8");
  if (bytes.length > MAX_PASSWORD_BYTES) return { problem: `password must be at most ${MAX_PASSWORD_BYTES} UTF-8 bytes after NFKC normalization` };
  return { bytes };
}

/** node:crypto's asynchronous scrypt (libuv thread pool) as a promise. */
function deriveKey(password: Buffer, salt: Buffer, { logN, r, p }: Params): Promise<Buffer> {
  const N = 2 ** logN;
  // A ceiling, not an allocation: OpenSSL needs 128·r·(N + p + 2) bytes; twice 128·N·r covers it.
  const options: ScryptOptions = { N, r, p, maxmem: 2 * 128 * N * r };
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_BYTES, options, (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
}

/**
 * Creates a password hasher bound to the given scrypt costs (OWASP's defaults N = 2^17, r = 8,
 * p = 1 for anything left out). Use it for a low-memory host, or with `unsafeLowCost` for fast
 * tests; its dummy verification (for unknown users) runs at the same costs, so timing stays
 * uniform.
 *
 * Throws a `RangeError` when the costs are out of bounds, or below OWASP's minimum for new
 * hashes without `unsafeLowCost` (see {@link PasswordHasherOptions}).
 *
 * @example
 * ```ts
 * import { createPasswordHasher } from "latch/password";
 *
 * // 16 MiB per hash at OWASP's N = 2^14 setting; hashes made earlier with other costs still verify.
 * const passwords = createPasswordHasher({ logN: 14, p: 5 });
 *
 * Credentials({
 *   authorize: async ({ email, password }) => {
 *     const user = await db.findUser(String(email));
 *     return (await passwords.verify(String(password), user?.passwordHash)) ? user : null;
 *   },
 * });
 * ```
 */
export function createPasswordHasher(options: PasswordHasherOptions = {}): PasswordHasher {
  const params: Params = {
    logN: options.logN ?? DEFAULTS.logN,
    r: options.r ?? DEFAULTS.r,
    p: options.p ?? DEFAULTS.p,
  };
  const problem = paramsProblem(params) ?? (options.unsafeLowCost === true ? undefined : weakParamsProblem(params));
  if (problem !== undefined) throw new RangeError(`createPasswordHasher: ${problem}`);

  // The hash unknown users are checked against: random salt and random key at this hasher's costs,
  // made once on first use (no scrypt needed — no password can match a random 256-bit key).
  let dummy: ParsedHash | undefined;
  const dummyHash = (): ParsedHash => {
    dummy ??= { ...params, salt: randomBytes(SALT_BYTES), key: randomBytes(KEY_BYTES) };
    return dummy;
  };

  const check = async (password: Buffer, target: ParsedHash): Promise<boolean> => {
    const key = await deriveKey(password, target.salt, target);
    return timingSafeEqual(key, target.key);
  };

  const hash = async (password: string): Promise<string> => {
    const encoded = encodePassword(password);
    if ("problem" in encoded) throw new TypeError(`hashPassword: ${encoded.problem}`);
    const salt = randomBytes(SALT_BYTES);
    const key = await deriveKey(encoded.bytes, salt, params);
    return formatHash(params, salt, key);
  };

  const verify = async (password: string, stored: string | null | undefined): Promise<boolean> => {
    const encoded = encodePassword(password);
    const target = parseHash(stored);
    if ("problem" in encoded || !target) {
      // Same work as a wrong password (its answer is ignored): neither "no such user" nor
      // "bad row" nor "refused password" shows in the timing.
      await check("bytes" in encoded ? encoded.bytes : Buffer.from("\0"), target ?? dummyHash());
      return false;
    }
    return check(encoded.bytes, target);
  };

  const needsRehash = (stored: string | null | undefined): boolean => {
    const parsed = parseHash(stored);
    return !parsed || parsed.logN < params.logN || parsed.r < params.r || parsed.p < params.p;
  };

  return { hash, verify, needsRehash };
}

const defaultHasher = createPasswordHasher();

/**
 * Hashes a password for storage with scrypt at OWASP's costs (N = 2^17, r = 8, p = 1; 128 MiB)
 * and a random 16-byte salt: `$scrypt$ln=17,r=8,p=1$<salt>$<key>`.
 *
 * The password is NFKC-normalized and never truncated. Throws a `TypeError` for an empty
 * password, one over {@link MAX_PASSWORD_BYTES} UTF-8 bytes after normalization, or one with a
 * lone UTF-16 surrogate.
 *
 * @example
 * ```ts
 * import { hashPassword, verifyPassword } from "latch/password";
 *
 * // Sign-up
 * await db.createUser({ email, passwordHash: await hashPassword(password) });
 *
 * // Sign-in
 * Credentials({
 *   authorize: async ({ email, password }) => {
 *     const user = await db.findUser(String(email));
 *     return (await verifyPassword(String(password), user?.passwordHash)) ? user : null;
 *   },
 * });
 * ```
 */
export function hashPassword(password: string): Promise<string> {
  return defaultHasher.hash(password);
}

/**
 * Checks a password against a stored hash, in constant time. The costs come from the stored
 * string, so hashes made with other parameters (within bounds) still verify.
 *
 * Pass the stored hash even when there is none: for `null`/`undefined` (unknown user) it runs a
 * dummy verification at the default costs and answers `false`, so unknown users take as long as
 * wrong passwords. Malformed or out-of-bounds hashes (a corrupted or hostile database row) and
 * empty, over-long or ill-formed passwords also answer `false` after the same dummy work — it
 * never throws for them, and a stored string can never make the server allocate more than
 * 256 MiB.
 *
 * @example
 * ```ts
 * import Credentials from "latch/providers/credentials";
 * import { verifyPassword } from "latch/password";
 *
 * Credentials({
 *   authorize: async ({ email, password }) => {
 *     const user = await db.findUser(String(email));
 *     return (await verifyPassword(String(password), user?.passwordHash)) ? user : null;
 *   },
 * });
 * ```
 */
export function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  return defaultHasher.verify(password, stored);
}

/**
 * `true` when a stored hash uses weaker costs than the defaults (a lower `ln`, `r` or `p`) or
 * cannot be read: after a successful {@link verifyPassword}, store a fresh
 * {@link hashPassword} of the password the user just typed.
 *
 * @example
 * ```ts
 * import { hashPassword, needsRehash, verifyPassword } from "latch/password";
 *
 * Credentials({
 *   authorize: async ({ email, password }) => {
 *     const user = await db.findUser(String(email));
 *     // Verify before checking `user`: unknown users must cost the same hash.
 *     const ok = await verifyPassword(String(password), user?.passwordHash);
 *     if (!ok || !user) return null;
 *     if (needsRehash(user.passwordHash)) {
 *       await db.setPasswordHash(user.id, await hashPassword(String(password)));
 *     }
 *     return user;
 *   },
 * });
 * ```
 */
export function needsRehash(stored: string | null | undefined): boolean {
  return defaultHasher.needsRehash(stored);
}
