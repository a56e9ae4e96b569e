/**
 * The browser half of bearer mode: gets a short-lived bearer token for the signed-in session,
 * keeps it (in memory by default), renews it before it expires, and sends it as
 * `Authorization: Bearer`. A request answered 401 renews the token once and is retried once.
 * Every client on the page and in other tabs forgets the token when the session ends.
 *
 * Bearer tokens are readable by the page's JavaScript, so an XSS can use them until they
 * expire: keep them short-lived, keep the default memory storage unless you need tokens to
 * survive reloads, and use a strict Content-Security-Policy. The token is bound to this browser
 * by an HttpOnly cookie: copied elsewhere it is refused.
 *
 * @example
 * ```ts
 * import { createBearerClient } from "latch/client";
 * const api = createBearerClient();
 * const response = await api.fetch("/api/orders"); // Authorization: Bearer …
 * ```
 */

import { sessionKey } from "../react/session-key.js";
import type { Session } from "../types.js";

/** Where the token is kept. */
export type BearerStorage = "memory" | "localStorage";

/** Options of a bearer client. */
export interface BearerClientOptions {
  /** Where latch's routes live. Default `/api/auth`. */
  basePath?: string | undefined;
  /** `"memory"` (default): gone on reload. `"localStorage"`: survives reloads and is shared by tabs. */
  storage?: BearerStorage | undefined;
  /** Renew a token this many seconds before it expires. Default 60 (or a tenth of its life, if shorter). */
  renewBefore?: number | undefined;
  /** The fetch to use. Default: the global one. */
  fetch?: typeof fetch | undefined;
  /**
   * Origins besides the page's own that `fetch` may send the token to (an API of yours on another
   * host), e.g. `["https://api.example.com"]`. Default none: a request to any other origin goes
   * out without `Authorization`, so a URL from user input or a third party never receives the
   * token. Outside a browser (no page origin), only these origins get it when set.
   */
  origins?: readonly string[] | undefined;
}

/** A token and when it expires. */
export interface BearerToken {
  token: string;
  /**
   * When it expires, in milliseconds since the epoch by this browser's clock: the server's
   * `expiresIn` counted from `receivedAt`, so a browser clock that is off does not matter.
   */
  expiresAt: number;
  /** When this client received it (milliseconds since the epoch). */
  receivedAt: number;
  /** The session it was issued for (`sessionKey` of the token route's `session`), when known. */
  sessionKey?: string | undefined;
}

/** What `createBearerClient` returns. */
export interface BearerClient {
  /** A token valid for a while yet (renewed when needed), or `null` without a session. */
  getToken(options?: { forceRenew?: boolean }): Promise<string | null>;
  /** `fetch` with `Authorization: Bearer`; a 401 renews the token once and retries once. */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /** Forgets the token here and in every other client and tab (call it at sign-out). */
  clear(): void;
  /** Stops listening to other tabs (until the client is used again). */
  close(): void;
}

/** The channel latch's clients share; `latch/react` announces session changes on it. */
export function sessionChannelName(basePath: string): string {
  return `latch.session:${basePath}`;
}

/** What the bearer client reads on the channel: latch/react's announcements, and its own. */
type ChannelMessage = { kind: "changed"; key?: string | undefined } | { kind: "bearer-cleared" };

function parseMessage(data: unknown): ChannelMessage | undefined {
  if (typeof data !== "object" || data === null) return undefined;
  const { kind, key } = data as Record<string, unknown>;
  if (kind === "bearer-cleared") return { kind };
  if (kind === "changed") return { kind, key: typeof key === "string" ? key : undefined };
  return undefined;
}

interface Store {
  read(): BearerToken | null;
  write(value: BearerToken | null): void;
}

function parseStored(raw: string | null): BearerToken | null {
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as unknown;
    if (typeof value !== "object" || value === null) return null;
    const { token, expiresAt, receivedAt, sessionKey: key } = value as Record<string, unknown>;
    if (typeof token !== "string" || typeof expiresAt !== "number" || typeof receivedAt !== "number") return null;
    return { token, expiresAt, receivedAt, sessionKey: typeof key === "string" ? key : undefined };
  } catch {
    return null;
  }
}

function createStore(kind: BearerStorage, key: string): Store {
  if (kind === "localStorage" && typeof localStorage !== "undefined") {
    return {
      read: () => parseStored(localStorage.getItem(key)),
      write: (value) => (value ? localStorage.setItem(key, JSON.stringify(value)) : localStorage.removeItem(key)),
    };
  }
  let current: BearerToken | null = null;
  return {
    read: () => current,
    write: (value) => {
      current = value;
    },
  };
}

/**
 * Which URLs a client's `fetch` may send the token to: the page's origin and `origins`. Outside a
 * browser there is no page origin: every URL when no `origins` are given (a test, a script), else
 * only those.
 */
function tokenDestinations(origins: readonly string[] | undefined): (url: string) => boolean {
  const allowed = new Set(
    (origins ?? []).map((origin) => {
      try {
        return new URL(origin).origin;
      } catch {
        throw new TypeError(`latch: bearer client origins must be absolute URLs such as "https://api.example.com", not ${JSON.stringify(origin)}.`);
      }
    }),
  );
  // A page's window, or a worker's own location (a worker has an origin but no window).
  const href: unknown = typeof window !== "undefined" ? window.location?.href : globalThis.location?.href;
  const page = typeof href === "string" ? new URL(href).origin : undefined;
  if (page === undefined && origins === undefined) return () => true;
  if (page !== undefined) allowed.add(page);
  return (url) => allowed.has(new URL(url).origin);
}

/** Thrown when a token cannot be had for a reason other than "not signed in". */
export class BearerTokenError extends Error {
  override name = "BearerTokenError";
}

/**
 * Creates a bearer client. Everything it keeps lives in the returned object (and, with
 * `storage: "localStorage"`, under one localStorage key): create one per page or app.
 */
export function createBearerClient(options: BearerClientOptions = {}): BearerClient {
  const basePath = (options.basePath ?? "/api/auth").replace(/\/$/, "");
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));
  const store = createStore(options.storage ?? "memory", `latch.bearer:${basePath}`);
  const mayCarryToken = tokenDestinations(options.origins);
  let pending: Promise<string | null> | null = null;
  // Bumped by clear(): a renewal that began before it must not write its token back afterwards.
  let generation = 0;
  let channel: BroadcastChannel | null = null;

  // A token outlives no change of session. The session it was issued for is stored with it, so a
  // page load (whose provider announces the session it was rendered with) keeps a stored token.
  // The session last announced while a renewal may be in flight: its token is kept only if it
  // belongs to that session.
  let announced: string | undefined;
  const onMessage = (event: MessageEvent<unknown>) => {
    const message = parseMessage(event.data);
    if (!message) return;
    if (message.kind === "bearer-cleared" || message.key === undefined || message.key === sessionKey(null)) {
      // As clear(): a renewal begun for the session let go of must not write its token back.
      generation++;
      pending = null;
      store.write(null);
      return;
    }
    announced = message.key;
    const stored = store.read();
    if (stored && stored.sessionKey !== message.key) store.write(null);
  };
  // Opened on first use and again after close(), so a component that unmounts and mounts again
  // (React's strict mode does) keeps hearing the other tabs.
  function listen(): void {
    if (channel || typeof BroadcastChannel === "undefined") return;
    channel = new BroadcastChannel(sessionChannelName(basePath));
    channel.addEventListener("message", onMessage);
  }

  // In a page, from the start: the page's SessionProvider announces its session when it mounts,
  // and a stored token of another session must be dropped before this client's first use.
  if (typeof window !== "undefined") listen();

  /** True while the token has more than its renewal margin left: 60 s, or a tenth of its life if shorter. */
  function fresh(value: BearerToken | null): value is BearerToken {
    if (!value) return false;
    const margin = Math.min((options.renewBefore ?? 60) * 1000, Math.max(0, value.expiresAt - value.receivedAt) / 10);
    return Date.now() < value.expiresAt - margin;
  }

  async function renew(): Promise<string | null> {
    const started = generation;
    const response = await doFetch(`${basePath}/token`, { method: "POST", credentials: "same-origin", headers: { "x-latch-bearer": "1" } });
    if (response.status === 401) {
      store.write(null);
      return null;
    }
    if (!response.ok) throw new BearerTokenError(`latch: the token route answered ${response.status}.`);
    const receivedAt = Date.now();
    const body = (await response.json()) as { token?: unknown; expiresAt?: unknown; expiresIn?: unknown; session?: unknown };
    // `expiresIn` is relative: counted from now it needs no agreement between the clocks. Whole
    // seconds, it may reach up to a second past the token's true end: one second less keeps us
    // early. The absolute `expiresAt` (server clock) only for a server that sends no `expiresIn`.
    const expiresAt =
      typeof body.expiresIn === "number" && Number.isFinite(body.expiresIn)
        ? receivedAt + Math.max(0, body.expiresIn - 1) * 1000
        : typeof body.expiresAt === "string"
          ? Date.parse(body.expiresAt)
          : Number.NaN;
    if (typeof body.token !== "string" || Number.isNaN(expiresAt)) throw new BearerTokenError("latch: the token route answered without a token.");
    const key = typeof body.session === "object" && body.session !== null ? sessionKey(body.session as Session) : undefined;
    // Cleared meanwhile (a sign-out), or another session announced: the token belongs to a
    // session the app has let go of.
    if (started !== generation || (announced !== undefined && key !== undefined && key !== announced)) return null;
    store.write({ token: body.token, expiresAt, receivedAt, sessionKey: key });
    return body.token;
  }

  async function getToken(getOptions: { forceRenew?: boolean } = {}): Promise<string | null> {
    listen();
    const current = store.read();
    if (!getOptions.forceRenew && fresh(current)) return current.token;
    // One renewal at a time: every caller waiting meanwhile shares it.
    if (!pending) {
      const renewal: Promise<string | null> = renew().finally(() => {
        if (pending === renewal) pending = null;
      });
      pending = renewal;
    }
    return pending;
  }

  /**
   * A token to retry with after `refused` was refused. When the store already holds another
   * (a request refused earlier renewed it, here or in another tab), that one: concurrent
   * requests refused with one stale token renew it once between them.
   */
  async function renewAfterRefusal(refused: string): Promise<string | null> {
    const current = store.read();
    if (current && current.token !== refused && fresh(current)) return current.token;
    return getToken({ forceRenew: true });
  }

  async function send(request: Request, token: string | null): Promise<Response> {
    const headers = new Headers(request.headers);
    if (token) headers.set("authorization", `Bearer ${token}`);
    return doFetch(new Request(request, { headers }));
  }

  return {
    getToken,
    async fetch(input, init) {
      const request = new Request(input, init);
      if (!mayCarryToken(request.url)) return doFetch(request);
      // Keep an unread copy so the request can be sent a second time.
      const retry = request.clone();
      const token = await getToken();
      const response = await send(request, token);
      if (response.status !== 401 || token === null) return response;
      const renewed = await renewAfterRefusal(token);
      if (renewed === null || renewed === token) return response;
      return send(retry, renewed);
    },
    clear() {
      generation++;
      pending = null;
      store.write(null);
      if (typeof BroadcastChannel === "undefined") return;
      const announcer = new BroadcastChannel(sessionChannelName(basePath));
      announcer.postMessage({ kind: "bearer-cleared" } satisfies ChannelMessage);
      announcer.close();
    },
    close() {
      channel?.removeEventListener("message", onMessage);
      channel?.close();
      channel = null;
    },
  };
}
