import type { Session } from "../types.js";
import { expiredAnswerDelay, expiryCheckAt, MIN_CHECK_GAP_MS, retryDelay, timerDelay } from "./expiry.js";
import { announce, senderId, type SessionMessage } from "./session-channel.js";
import { sessionKey } from "./session-key.js";
import { requestSession, type SessionAnswer } from "./session-request.js";
import type { SessionStatus } from "./types.js";

/** What the store shows React: the same object until something changes. */
export type SessionSnapshot = { data: Session; status: "authenticated" } | { data: null; status: Exclude<SessionStatus, "authenticated"> };

/** The platform pieces the store uses, replaceable in tests. */
export interface StoreEnvironment {
  requestSession(basePath: string, update?: { data: unknown }): Promise<SessionAnswer>;
  /** Tells the other providers; the store does not wait for them. */
  announce(basePath: string, message: SessionMessage): void;
  now(): number;
  /** Runs `callback` after `ms`; returns the function that cancels it. */
  schedule(callback: () => void, ms: number): () => void;
}

const browserEnvironment: StoreEnvironment = {
  requestSession,
  announce(basePath, message) {
    void announce(basePath, message);
  },
  now: () => Date.now(),
  schedule(callback, ms) {
    const handle = setTimeout(callback, ms);
    return () => clearTimeout(handle);
  },
};

function snapshotOf(session: Session | null | undefined): SessionSnapshot {
  if (session === undefined) return { data: null, status: "loading" };
  return session === null ? { data: null, status: "unauthenticated" } : { data: session, status: "authenticated" };
}

/**
 * The session state of one `<SessionProvider>`: what it shows, the requests it makes (one at a
 * time, in the order asked, so an answer sent before an update can never overwrite the update),
 * and the timer that checks the session just after it expires. One per provider instance;
 * nothing is shared through module state.
 */
export class SessionStore {
  /** This store's id in announcements, so it ignores its own. */
  readonly id = senderId();
  basePath: string;
  readonly #env: StoreEnvironment;
  #session: Session | null | undefined;
  #snapshot: SessionSnapshot;
  readonly #listeners = new Set<() => void>();
  /** The end of the request queue. */
  #tail: Promise<unknown> = Promise.resolve();
  /** A load that is queued but not sent yet: asking again joins it. */
  #queuedLoad: Promise<void> | undefined;
  /** Bumped when a server render's session is adopted: answers to older requests are stale. */
  #epoch = 0;
  /** The last session prop seen, as JSON. */
  #lastProp: string | undefined;
  #serverOffset: number | undefined;
  /** Browser-clock ms of the next expiry check (or retry). */
  #checkAt: number | undefined;
  #cancelTimer: (() => void) | undefined;
  #running = false;
  #failures = 0;
  /** Answers in a row whose session had already expired (a `session` callback that sets `expires` in the past). */
  #expiredAnswers = 0;
  /** How many announced changes made this store refetch. */
  #changesHeard = 0;
  /** While a request is in flight: `#changesHeard` when it was sent. */
  #inFlightSince: number | undefined;

  constructor(basePath: string, session: Session | null | undefined, env: StoreEnvironment = browserEnvironment) {
    this.basePath = basePath;
    this.#env = env;
    this.#session = session;
    this.#snapshot = snapshotOf(session);
    this.#lastProp = session === undefined ? undefined : JSON.stringify(session);
    this.#checkAt = session ? expiryCheckAt(session.expires, undefined) : undefined;
  }

  /** For `useSyncExternalStore`. */
  readonly getSnapshot = (): SessionSnapshot => this.#snapshot;

  /** For `useSyncExternalStore`. */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /** True while the store holds a session (not while loading or signed out). */
  hasSession(): boolean {
    return this.#session !== undefined && this.#session !== null;
  }

  /** Browser-clock ms of the next scheduled check, if any (for tests and debugging). */
  nextCheckAt(): number | undefined {
    return this.#checkAt;
  }

  /**
   * Starts the timers, fetches the session when none was given, and tells the other tabs which
   * session this page was rendered with (a sign-in that ended in a full page load, an OAuth
   * callback, reaches them this way).
   */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    if (this.#session === undefined) void this.load();
    else this.#env.announce(this.basePath, { kind: "changed", from: this.id, key: sessionKey(this.#session) });
    this.#arm();
  }

  /** Stops the timers; answers still arriving are applied. */
  stop(): void {
    this.#running = false;
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
  }

  /** Fetches the session (GET, which also extends it) after whatever is queued. */
  load(): Promise<void> {
    if (this.#queuedLoad) return this.#queuedLoad;
    const run = this.#tail.then(async () => {
      this.#queuedLoad = undefined;
      const epoch = this.#epoch;
      const answer = await this.#request(undefined);
      this.#settle(answer, epoch);
    });
    this.#queuedLoad = run;
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /**
   * `update(data?)`, after whatever is queued, whatever the status: with `data`, POSTs it with the
   * CSRF token (the `jwt` callback runs with `trigger: "update"`); without, refetches the session
   * with a plain GET, as next-auth does. Resolves to the fresh session, or `null` when signed out
   * or on failure (the state is then kept).
   */
  readonly update = (data?: unknown): Promise<Session | null> => {
    const run = this.#tail.then(async () => {
      const epoch = this.#epoch;
      const before = this.#session === undefined ? undefined : sessionKey(this.#session);
      const answer = await this.#request(data === undefined ? undefined : { data });
      this.#settle(answer, epoch);
      if (!answer.ok) return null;
      const key = sessionKey(answer.session);
      if (key !== before) this.#env.announce(this.basePath, { kind: "changed", from: this.id, key });
      return answer.session;
    });
    this.#tail = run.catch(() => undefined);
    return run;
  };

  /**
   * Takes the session a server render passed in, when it differs from the previous one (a
   * server action signed in or out and the layout rendered again), and tells the other tabs.
   */
  adopt(session: Session | null | undefined): void {
    if (session === undefined) return;
    const json = JSON.stringify(session);
    if (json === this.#lastProp) return;
    this.#lastProp = json;
    this.#epoch++;
    const key = sessionKey(session);
    const changed = this.#session === undefined || sessionKey(this.#session) !== key;
    this.#set(session, false);
    if (changed) this.#env.announce(this.basePath, { kind: "changed", from: this.id, key });
  }

  /**
   * Handles an announcement from another provider, tab or standalone call; resolves once the
   * refetch it calls for, if any, has been applied.
   */
  readonly receive = (message: SessionMessage): Promise<void> => {
    if (message.from === this.id) return Promise.resolve();
    if (message.kind === "changed") {
      if (message.key !== undefined && this.#session !== undefined && sessionKey(this.#session) === message.key) return Promise.resolve();
      this.#changesHeard++;
      return this.load();
    }
    if (!this.hasSession()) {
      // A request sent after the last change we heard of brings the same news: asking again
      // would only slide the session once more (every tab answers a sign-in with "renewed").
      if (this.#queuedLoad !== undefined || this.#inFlightSince === this.#changesHeard) return this.#queuedLoad ?? Promise.resolve();
      // Someone holds a session while we hold none: ours is stale.
      return this.load();
    }
    // The session was extended elsewhere: checking at our older expiry would find it alive
    // and extend it again, and two idle tabs would keep each other signed in.
    if (this.#checkAt === undefined || message.checkAt > this.#checkAt) {
      this.#checkAt = message.checkAt;
      this.#arm();
    }
    return Promise.resolve();
  };

  async #request(update: { data: unknown } | undefined): Promise<SessionAnswer> {
    this.#inFlightSince = this.#changesHeard;
    try {
      return await this.#env.requestSession(this.basePath, update);
    } finally {
      this.#inFlightSince = undefined;
    }
  }

  #settle(answer: SessionAnswer, epoch: number): void {
    if (!answer.ok) {
      this.#failures++;
      // Keep what we have. A check that is due (expiry, or the first load) tries again later.
      const now = this.#env.now();
      if (this.#session === undefined || (this.#checkAt !== undefined && this.#checkAt <= now)) {
        this.#checkAt = now + retryDelay(this.#failures);
        this.#arm();
      }
      return;
    }
    this.#failures = 0;
    if (answer.serverOffset !== undefined) this.#serverOffset = answer.serverOffset;
    if (epoch !== this.#epoch) return;
    this.#set(answer.session, true);
    if (answer.session !== null && this.#checkAt !== undefined) {
      this.#env.announce(this.basePath, { kind: "renewed", from: this.id, checkAt: this.#checkAt });
    }
  }

  #set(session: Session | null, fetched: boolean): void {
    this.#session = session;
    let checkAt = session ? expiryCheckAt(session.expires, this.#serverOffset) : undefined;
    if (fetched) {
      const now = this.#env.now();
      // The server says a live session has (all but) expired: checking again at once would get
      // the same answer, so each such answer in a row waits longer.
      if (checkAt !== undefined && checkAt < now + MIN_CHECK_GAP_MS) checkAt = now + expiredAnswerDelay(++this.#expiredAnswers);
      else this.#expiredAnswers = 0;
    }
    this.#checkAt = checkAt;
    this.#arm();
    const next = snapshotOf(session);
    const previous = this.#snapshot;
    if (next.status === previous.status && JSON.stringify(next.data) === JSON.stringify(previous.data)) return;
    this.#snapshot = next;
    for (const listener of this.#listeners) listener();
  }

  #arm(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    const checkAt = this.#checkAt;
    if (!this.#running || checkAt === undefined) return;
    this.#cancelTimer = this.#env.schedule(() => {
      this.#cancelTimer = undefined;
      // Long delays are split (timers cap at ~24.8 days): re-arm until the time has come.
      if (this.#env.now() < checkAt) this.#arm();
      else void this.load();
    }, timerDelay(checkAt, this.#env.now()));
  }
}
