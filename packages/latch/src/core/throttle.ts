import { RateLimited } from "../errors.js";
import type { RateLimitRule } from "../types.js";
import { emitAudit } from "./audit.js";
import { clientBucket } from "./client-address.js";
import type { RequestContext } from "./config.js";
import type { OutgoingCookie } from "./cookies.js";
import { constantTimeEqual, randomHex, sha256Hex } from "./digest.js";
import { type InternalCredentialsProvider, type InternalEmailProvider, type InternalWebAuthnProvider } from "./providers.js";

// Configurations already warned that the client address is unknown: once each is enough.
const warnedNoAddress = new WeakSet<object>();

/** The throttle of one attempt: refused, or allowed with a way to take the attempt back once it succeeded. */
export type ThrottleResult = { refused: RateLimited } | { refused: undefined; succeeded(): Promise<void> };

/** A credentials attempt's throttle; a success also returns the browser's trusted-accounts cookie. */
export type CredentialsThrottle = { refused: RateLimited } | { refused: undefined; succeeded(): Promise<OutgoingCookie | undefined> };

// ---- Browsers an account signed in from ----------------------------------------------------
// The per-account count stops guessing at one account from anywhere, and so lets anyone lock its
// owner out by guessing wrong on purpose. A browser the account signed in from counts apart
// (OWASP's device cookies; ASVS 6.1.1, NIST 800-63B §5.2.2: no attacker-induced lockout): its
// cookie holds a random device id and, per account, an HMAC under the secret over the device id
// and the name exactly as it was typed (no account named in clear; `Alice`, `ａｌｉｃｅ` and
// `alice` are three names), and its attempts at that name hit a count of that device alone.
// Nobody else can use that count up, and a tag earns its holder only their own device's count.

/** How many accounts one browser's cookie vouches for (most recent first). */
const TRUSTED_ACCOUNTS = 8;
const TAG = /^[A-Za-z0-9_-]{22}$/;
const DEVICE = /^[0-9a-f]{32}$/;

async function trustTag(secret: string, deviceId: string, providerId: string, name: string): Promise<string> {
  const hmac = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", hmac, new TextEncoder().encode(`latch.trusted\0${deviceId}\0${providerId}\0${name}`)));
  let binary = "";
  for (const byte of mac) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "").slice(0, 22);
}

/** The device id and tags of a trusted-accounts cookie; nothing for a value that is not one. */
function trustedCookie(value: string | undefined): { deviceId: string; tags: string[] } | undefined {
  const [deviceId, ...tags] = (value ?? "").split(".");
  if (!deviceId || !DEVICE.test(deviceId)) return undefined;
  return { deviceId, tags: tags.filter((tag) => TAG.test(tag)).slice(0, TRUSTED_ACCOUNTS) };
}

/**
 * Takes a successful attempt's own hits back (`RateLimitStore.undo`): only failures count. Never
 * a reset: the spellings of one name share a count, so whoever signs in as `alicé@` (an account
 * of their own, where sign-up is open) must not clear the guesses counted against `alice@`.
 */
function takeBack(ctx: RequestContext, keys: string[]): () => Promise<void> {
  const store = ctx.resolved.rateLimitStore;
  return async () => {
    const undo = store.undo?.bind(store);
    if (undo) await Promise.all(keys.map((key) => undo(key)));
  };
}

/**
 * A name (an address, a login) as the per-account and per-address counts key it: compatibility
 * forms, case and accents folded, invisible characters dropped — about as loosely as the
 * collations of some databases compare it (MySQL's default ones ignore case and accents, and
 * take "ß" for "ss"), so no spelling that the app's lookup takes for the same row gets a count of
 * its own. Grouping more is only stricter. NFKD splits letters from their marks (and "ﬁ" into
 * "fi"); upper then lower case folds "ß" into "ss" as case folding does; the soft hyphen, zero-width
 * spaces and joiners (default-ignorable code points) vanish.
 */
function foldedName(name: string): string {
  return name.normalize("NFKD").toUpperCase().toLowerCase().normalize("NFKD").replace(/[\p{M}\p{Default_Ignorable_Code_Point}]/gu, "").trim();
}

/** One counter to hit: its key in the store and the limit it must stay under. */
interface Check {
  key: string;
  rule: RateLimitRule;
  /** The client's own count: hit first, and once it refuses, nothing else is counted. */
  gate?: true;
}

/** The per-client-address check, or none when the address is unknown (warned once per config). */
function sourceCheck(ctx: RequestContext, request: Request, prefix: string, rule: RateLimitRule | false, what: string, remaining: string | undefined): Check | undefined {
  if (!rule) return undefined;
  const { resolved } = ctx;
  const bucket = clientBucket(request, resolved.config.rateLimit);
  if (bucket === undefined) {
    if (!warnedNoAddress.has(resolved)) {
      warnedNoAddress.add(resolved);
      resolved.logger.warn(`rate-limit-no-address: the client address of ${what} is unknown, so ${remaining ? `only the ${remaining} limit applies` : "it is not limited"}; check rateLimit.trustedProxies or pass rateLimit.clientAddress`);
    }
    return undefined;
  }
  return { key: `${prefix}:source:${bucket}`, rule, gate: true };
}

/**
 * Hits the counters and refuses when any is over its limit. Counting comes first and is atomic in
 * the store, so parallel requests cannot slip under the limit together. The client's own count
 * goes first: a client over its limit adds no other key to the store, so it cannot push other
 * counts (a victim's account) out of a bounded store by sending throw-away names.
 */
async function hitAll(ctx: RequestContext, checks: Check[], message: (retryAfter: number) => string): Promise<RateLimited | undefined> {
  const store = ctx.resolved.rateLimitStore;
  const hit = async ({ key, rule }: Check) => ({ ...(await store.hit(key, rule.window * 1000)), max: rule.max });
  const gates = await Promise.all(checks.filter((check) => check.gate).map(hit));
  const hits = gates.some((gate) => gate.count > gate.max) ? gates : [...gates, ...(await Promise.all(checks.filter((check) => !check.gate).map(hit)))];
  const over = hits.filter((counted) => counted.count > counted.max);
  if (over.length === 0) return undefined;
  const until = Math.max(...over.map((hit) => hit.resetAt.getTime()));
  const retryAfter = Math.max(1, Math.ceil((until - Date.now()) / 1000));
  return new RateLimited(message(retryAfter), retryAfter);
}

/**
 * Counts a credentials attempt per account and per client address and refuses it over either
 * limit. Account names are counted folded ({@link foldedName}: `àlice@` is `alice@`) and stored
 * hashed. A browser the account signed in from before (its `trustedAccounts` cookie) has a
 * per-account count of its own, which guesses from elsewhere cannot use up. A successful sign-in
 * takes its own attempt back ({@link takeBack}: failures count) and returns the cookie that
 * vouches for this browser from then on.
 */
export async function throttleCredentials(
  ctx: RequestContext,
  provider: InternalCredentialsProvider,
  request: Request,
  credentials: Record<string, string>,
  cookies: Map<string, string>,
): Promise<CredentialsThrottle> {
  const prefix = `credentials:${provider.id}`;
  const { account, source } = provider.rateLimit;
  const checks: Check[] = [];
  const accounts: Array<{ folded: string; key: string }> = [];
  const option = ctx.cookies.trustedAccounts;
  const held = trustedCookie(cookies.get(option.name));
  // Trust names the account by every field the user typed but the password, exactly as typed
  // (an organization beside the user name, `Alice` beside `alice`): only a sign-in with the very
  // same fields vouches. With several account names sent, which one the user is, is not known.
  const typed = [...new Set(provider.rateLimit.typedIdentifiers(credentials))];
  const name = typed.length === 1 ? JSON.stringify(provider.rateLimit.typedFields(credentials)) : undefined;
  let trusted = false;
  if (held && name !== undefined) {
    // Any secret still accepted vouches (rotation trusts no browser less).
    const expected = await Promise.all(ctx.secrets.map((secret) => trustTag(secret, held.deviceId, provider.id, name)));
    trusted = held.tags.some((tag) => expected.some((candidate) => constantTimeEqual(tag, candidate)));
  }
  for (const identifier of provider.rateLimit.identifiers(credentials)) {
    const folded = foldedName(identifier);
    // Two spellings of one name sent together (`email` and `username`) count once.
    if (accounts.some((seen) => seen.folded === folded)) continue;
    const shared = `${prefix}:account:${await sha256Hex(folded)}`;
    if (trusted && held) {
      // Its own device's count, and, for all the account's trusted browsers together, three times
      // the limit: browsers collected while a password was known bring no endless guesses at the
      // next one.
      accounts.push({ folded, key: `${shared}:device:${held.deviceId}` }, { folded, key: `${shared}:trusted` });
      if (account) checks.push({ key: `${shared}:device:${held.deviceId}`, rule: account }, { key: `${shared}:trusted`, rule: { max: account.max * 3, window: account.window } });
    } else {
      accounts.push({ folded, key: shared });
      if (account) checks.push({ key: shared, rule: account });
    }
  }
  // A trusted browser's own count of attempts from its address: others behind the same address
  // (a NAT) cannot use it up. It reaches only the names its cookie vouches for.
  const bySource = sourceCheck(ctx, request, trusted && held ? `${prefix}:device:${held.deviceId}` : prefix, source, "a credentials sign-in", "per-account");
  if (bySource) checks.push(bySource);
  const refused = await hitAll(ctx, checks, (retryAfter) => `Too many sign-in attempts with "${provider.id}"; try again in ${retryAfter} s.`);
  if (refused) {
    await emitAudit(ctx.resolved, { type: "rate-limited", limit: "credentials", provider: provider.id, retryAfter: refused.retryAfter }, request);
    return { refused };
  }
  const takeOwnBack = takeBack(ctx, account ? accounts.map(({ key }) => key) : []);
  return {
    refused: undefined,
    async succeeded() {
      await takeOwnBack();
      // Without a per-account count there is nothing to be locked out of, and without one name
      // typed nothing to vouch for: no cookie.
      if (!account || name === undefined) return undefined;
      const deviceId = held?.deviceId ?? randomHex(16);
      const tag = await trustTag(ctx.secrets[0] ?? "", deviceId, provider.id, name);
      const others = (held?.tags ?? []).filter((kept) => kept !== tag);
      return { name: option.name, value: [deviceId, tag, ...others].slice(0, TRUSTED_ACCOUNTS + 1).join("."), options: option.options };
    },
  };
}

/** The rule that binds a count shared by every email provider: the fewest tries over the longest window of any; false when none limits. */
function strictest(rules: Array<RateLimitRule | false>): RateLimitRule | false {
  const set = rules.filter((rule): rule is RateLimitRule => rule !== false);
  if (set.length === 0) return false;
  return { max: Math.min(...set.map((rule) => rule.max)), window: Math.max(...set.map((rule) => rule.window)) };
}

/**
 * A recipient as the per-recipient count of sign-in links keys it: the domain in its ASCII
 * (punycode) form, as DNS and mailers resolve it — `bücher.example` and `xn--bcher-kva.example`
 * are one inbox — lower-cased, without a trailing dot. WHATWG URL's host parser does the IDNA
 * mapping in every runtime (Node, Edge, browsers), with no Node-only module. A domain it cannot
 * parse is kept as typed: no mailer resolves it to another spelling's inbox. The local part stays
 * as the normalizer left it; the split is at the last `@`, where the domain begins.
 */
function recipientKey(identifier: string): string {
  const at = identifier.lastIndexOf("@");
  if (at < 0) return identifier;
  const domain = identifier.slice(at + 1);
  let ascii: string;
  try {
    ascii = new URL(`http://${domain}`).hostname;
  } catch {
    ascii = domain.toLowerCase();
  }
  return `${identifier.slice(0, at + 1)}${ascii.replace(/\.$/, "")}`;
}

/**
 * Counts a sign-in link about to be sent, per recipient and per client address, and refuses it
 * over either limit: nobody can flood an inbox or use latch as a mail cannon. Every send counts;
 * nothing resets the count but the window. A recipient is counted by its inbox
 * ({@link recipientKey}: the domain in its punycode form), and one count is shared by all email
 * providers, limited by the strictest of their rules, so a second provider sends no more links
 * to an inbox than the first. Addresses are stored hashed.
 */
export async function throttleEmail(ctx: RequestContext, provider: InternalEmailProvider, request: Request, identifier: string): Promise<RateLimited | undefined> {
  const emailProviders = ctx.resolved.providers.filter((p): p is InternalEmailProvider => p.type === "email");
  const address = strictest(emailProviders.map((p) => p.rateLimit.address));
  const checks: Check[] = [];
  if (address) checks.push({ key: `email:address:${await sha256Hex(recipientKey(identifier))}`, rule: address });
  const bySource = sourceCheck(ctx, request, `email:${provider.id}`, provider.rateLimit.source, "an email sign-in", "per-recipient");
  if (bySource) checks.push(bySource);
  const refused = await hitAll(ctx, checks, (retryAfter) => `Too many sign-in links requested with "${provider.id}"; try again in ${retryAfter} s.`);
  if (refused) await emitAudit(ctx.resolved, { type: "rate-limited", limit: "email", provider: provider.id, retryAfter: refused.retryAfter }, request);
  return refused;
}

/**
 * Counts a try of a link's token before it is used, per address and per client address (the
 * source count apart from the links it requested), and refuses it over either limit — the right
 * token too, which stays valid for after the window — so a short code cannot be guessed. Addresses
 * are counted folded ({@link foldedName}): no spelling of a locked address that the database takes
 * for the same row gets fresh tries. A token is not bound to the provider that sent it (every
 * email provider reads the same table), so the counts are shared by all email providers, each
 * limited by the strictest of their rules. A token that works takes its own try back
 * ({@link takeBack}): a working code for a look-alike address (`alicé@exámple.com`, which folds
 * as `alice@example.com`) gives the guesses at another address's code no fresh start.
 */
export async function throttleTokenUse(ctx: RequestContext, provider: InternalEmailProvider, request: Request, identifier: string): Promise<ThrottleResult> {
  const prefix = "email-token";
  const emailProviders = ctx.resolved.providers.filter((p): p is InternalEmailProvider => p.type === "email");
  const attempts = strictest(emailProviders.map((p) => p.rateLimit.attempts));
  const source = strictest(emailProviders.map((p) => p.rateLimit.source));
  const checks: Check[] = [];
  const address = attempts ? `${prefix}:address:${await sha256Hex(foldedName(identifier))}` : undefined;
  if (address && attempts) checks.push({ key: address, rule: attempts });
  const bySource = sourceCheck(ctx, request, prefix, source, "a sign-in link's use", "per-address");
  if (bySource) checks.push(bySource);
  const refused = await hitAll(ctx, checks, (retryAfter) => `Too many tries of sign-in links; try again in ${retryAfter} s.`);
  if (refused) {
    await emitAudit(ctx.resolved, { type: "rate-limited", limit: "email-token", provider: provider.id, retryAfter: refused.retryAfter }, request);
    return { refused };
  }
  return { refused: undefined, succeeded: takeBack(ctx, address ? [address] : []) };
}

/**
 * Counts the registration options someone not signed in asks for, per client address, and
 * refuses them over the limit: each answer tells whether an address has an account.
 */
export async function throttlePasskeySignUp(ctx: RequestContext, provider: InternalWebAuthnProvider, request: Request): Promise<RateLimited | undefined> {
  const bySource = sourceCheck(ctx, request, `webauthn:${provider.id}:sign-up`, provider.rateLimit.source, "a passkey sign-up", undefined);
  if (!bySource) return undefined;
  const refused = await hitAll(ctx, [bySource], (retryAfter) => `Too many accounts started with "${provider.id}" from this network; try again in ${retryAfter} s.`);
  if (refused) await emitAudit(ctx.resolved, { type: "rate-limited", limit: "passkey-registration", provider: provider.id, retryAfter: refused.retryAfter }, request);
  return refused;
}
