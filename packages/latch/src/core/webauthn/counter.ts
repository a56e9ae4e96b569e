import type { AdapterAuthenticator } from "../../adapters/types.js";
import { WebAuthnVerificationError } from "../../errors.js";
import type { RateLimitStore } from "../../rate-limit/types.js";
import { sha256Hex } from "../digest.js";
import type { WebAuthnAdapter } from "./adapter.js";

/**
 * How long a sign-in may hold a passkey's counter: more than its two adapter calls and the
 * release take (each bounded by `storeTimeout`), and short enough that a process that died
 * holding it — or a hit the store counted after latch gave up on it — blocks the passkey only
 * briefly. Without a `storeTimeout`, this default.
 */
const DEFAULT_HOLD_MS = 10_000;

/** The hold window for a given `storeTimeout`: three store calls and a second of margin, at least the default. */
export function holdWindow(storeTimeout: number | false): number {
  return storeTimeout === false ? DEFAULT_HOLD_MS : Math.max(DEFAULT_HOLD_MS, 3 * storeTimeout + 1_000);
}

/**
 * Sign-ins of this process storing a passkey's counter, by key: they queue here before asking the
 * store, so within one process the order is exact whatever the store does (the memory store may
 * forget a hold under a flood of keys); the store's hold orders the processes.
 */
const queues = new Map<string, Promise<unknown>>();

/** Runs `task` after the ones queued under `key` in this process. */
async function inTurn<T>(key: string, task: () => Promise<T>): Promise<T> {
  const previous = queues.get(key) ?? Promise.resolve();
  const run = previous.then(task, task);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  queues.set(key, settled);
  try {
    return await run;
  } finally {
    if (queues.get(key) === settled) queues.delete(key);
  }
}
/** How long a sign-in waits for another one to finish storing the same passkey's counter. */
const WAIT_MS = 5_000;
/** How often a waiting sign-in asks again. */
const POLL_MS = 20;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function storeDidNotAnswer(error: unknown): WebAuthnVerificationError {
  return new WebAuthnVerificationError("The rate-limit store did not answer, so the passkey's signature counter could not be stored safely: the sign-in is refused. Try again.", { cause: error });
}

/**
 * Takes the passkey's counter for this sign-in alone: `hit` is atomic in every rate-limit store,
 * so of the sign-ins asking at once exactly one counts 1 and holds it; the others ask again until
 * it is given back ({@link release}) or its window ends. Waits at most `WAIT_MS`.
 */
async function hold(store: RateLimitStore, key: string, holdMs: number): Promise<void> {
  const until = Date.now() + WAIT_MS;
  for (;;) {
    let count: number;
    try {
      ({ count } = await store.hit(key, holdMs));
    } catch (error) {
      throw storeDidNotAnswer(error);
    }
    if (count === 1) return;
    if (Date.now() >= until) throw new WebAuthnVerificationError("Another sign-in with this passkey is still storing its signature counter: the sign-in is refused. Try again.");
    await sleep(POLL_MS);
  }
}

/** Gives the counter back. The counter is stored by then: a store that does not answer only keeps the passkey held until its window ends. */
async function release(store: RateLimitStore, key: string, warn: (message: string) => void): Promise<void> {
  try {
    await store.reset(key);
  } catch (error) {
    warn(`webauthn-counter: the rate-limit store did not release a passkey's counter (${error instanceof Error ? error.message : String(error)}); the passkey's sign-ins wait until it expires`);
  }
}

/**
 * Stores the signature counter of a verified passkey sign-in, one sign-in at a time per passkey,
 * so that sign-ins at the same moment end as if they came one after the other.
 *
 * The counter was checked against the value read before verification; two sign-ins verified at
 * once both passed that check, and without more a copy of the authenticator (same counter) would
 * be let in beside the original, or the later write of a lower counter would win and re-open
 * counter values already used. So the passkey is held through the rate-limit store (shared by
 * every instance when `rateLimit.store` is set), the stored counter is read again, and the new one
 * is written only when it is higher; otherwise the sign-in is refused as a counter gone backwards.
 *
 * A counter of 0 is an authenticator that keeps none (synced passkeys always report 0): there is
 * nothing to order or store, and it is not held. A store that does not answer refuses the sign-in.
 *
 * @example
 * ```ts
 * const stored = await storeSignatureCounter(ctx.resolved.rateLimitStore, adapter, authenticator, newCounter, logger.warn, ctx.resolved.storeTimeout);
 * ```
 */
export async function storeSignatureCounter(
  store: RateLimitStore,
  adapter: WebAuthnAdapter,
  authenticator: AdapterAuthenticator,
  newCounter: number,
  warn: (message: string) => void,
  storeTimeout: number | false = false,
): Promise<AdapterAuthenticator> {
  // Verification refuses 0 once a counter is stored: 0 here means the stored one is 0 too.
  if (newCounter === 0) return authenticator;
  const key = `webauthn:counter:${await sha256Hex(authenticator.credentialID)}`;
  return inTurn(key, async () => {
    await hold(store, key, holdWindow(storeTimeout));
    try {
      const current = await adapter.getAuthenticator(authenticator.credentialID);
      if (!current) throw new WebAuthnVerificationError("This passkey was removed during the sign-in.");
      if (newCounter <= current.counter) {
        throw new WebAuthnVerificationError(`The passkey's signature counter ${newCounter} is not above the stored ${current.counter}: another sign-in used it at the same time (a cloned authenticator?).`);
      }
      return await adapter.updateAuthenticatorCounter(authenticator.credentialID, newCounter);
    } finally {
      await release(store, key, warn);
    }
  });
}
