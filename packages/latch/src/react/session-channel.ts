/**
 * How providers and the standalone functions tell each other that the session changed, in this
 * document and in every other tab of the origin. Listeners of this document are called directly,
 * so an announcer can wait until they have handled a message (`signIn(…, { redirect: false })`
 * resolves only once this tab's providers hold the new session); other tabs hear it through a
 * `BroadcastChannel`, or, where there is none, a `localStorage` write (a `storage` event).
 */

/**
 * One announcement. `changed`: refetch, unless `key` says you already hold this session.
 * `renewed`: someone fetched the session, which moved its expiry; check it no earlier than
 * `checkAt` (browser-clock ms).
 */
export type SessionMessage =
  | { kind: "changed"; from: string; key?: string | undefined }
  | { kind: "renewed"; from: string; checkAt: number };

/** What a listener does with a message; the promise, if any, settles once it is handled. */
export type SessionListener = (message: SessionMessage) => void | Promise<void>;

/** The channel (and storage key) name for a base path. */
export function channelName(basePath: string): string {
  return `latch.session:${basePath}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** The message in `data`, or `undefined` when it is not one of ours. */
export function parseSessionMessage(data: unknown): SessionMessage | undefined {
  if (!isRecord(data) || typeof data.from !== "string") return undefined;
  if (data.kind === "changed") {
    return { kind: "changed", from: data.from, key: typeof data.key === "string" ? data.key : undefined };
  }
  if (data.kind === "renewed" && typeof data.checkAt === "number" && Number.isFinite(data.checkAt)) {
    return { kind: "renewed", from: data.from, checkAt: data.checkAt };
  }
  return undefined;
}

/** A random id for one sender, so a listener can ignore what it sent itself. */
export function senderId(): string {
  return typeof crypto !== "undefined" && "randomUUID" in crypto ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`;
}

/** Marks what this document posts, so its own listeners, already called directly, skip the echo. */
const DOCUMENT_ID = senderId();

/** This document's listeners by base path. Only who listens lives here, never session state. */
const localListeners = new Map<string, Set<SessionListener>>();

/**
 * Tells every provider of this origin and base path, in this tab and the others. The promise
 * resolves once this document's listeners have handled the message (for a provider: once its
 * refetch, if the message called for one, has been applied); it never rejects.
 *
 * @example
 * ```ts
 * await announce("/api/auth", { kind: "changed", from: senderId() });
 * ```
 */
export function announce(basePath: string, message: SessionMessage): Promise<void> {
  const handled = [...(localListeners.get(basePath) ?? [])].map((listener) => Promise.resolve().then(() => listener(message)));
  if (typeof window !== "undefined") tellOtherTabs(basePath, message);
  return Promise.allSettled(handled).then(() => undefined);
}

function tellOtherTabs(basePath: string, message: SessionMessage): void {
  const name = channelName(basePath);
  if (typeof BroadcastChannel !== "undefined") {
    const channel = new BroadcastChannel(name);
    channel.postMessage({ ...message, document: DOCUMENT_ID });
    channel.close();
    return;
  }
  try {
    // A unique value, so the write is a change and other tabs get a `storage` event; removed at
    // once, so nothing stays on disk.
    window.localStorage.setItem(name, JSON.stringify({ ...message, nonce: senderId() }));
    window.localStorage.removeItem(name);
  } catch {
    // Storage disabled (private mode, a policy): other tabs learn at their next refetch.
  }
}

/**
 * Calls `onMessage` for every announcement of this base path, from this document and the other
 * tabs (the listener skips its own by `from`); returns the function that stops listening.
 *
 * @example
 * ```ts
 * useEffect(() => listen(basePath, (message) => store.receive(message)), [basePath]);
 * ```
 */
export function listen(basePath: string, onMessage: SessionListener): () => void {
  const listeners = localListeners.get(basePath) ?? new Set<SessionListener>();
  localListeners.set(basePath, listeners);
  // A wrapper per call, so the same function listening twice is removed once per stop.
  const local: SessionListener = (message) => onMessage(message);
  listeners.add(local);
  const stopLocal = (): void => {
    listeners.delete(local);
    if (listeners.size === 0 && localListeners.get(basePath) === listeners) localListeners.delete(basePath);
  };
  const name = channelName(basePath);
  if (typeof BroadcastChannel !== "undefined") {
    const channel = new BroadcastChannel(name);
    channel.onmessage = (event: MessageEvent<unknown>) => {
      // Posted by this document: its listeners were called directly.
      if (isRecord(event.data) && event.data.document === DOCUMENT_ID) return;
      const message = parseSessionMessage(event.data);
      if (message) void onMessage(message);
    };
    return () => {
      stopLocal();
      channel.close();
    };
  }
  if (typeof window === "undefined") return stopLocal;
  const onStorage = (event: StorageEvent): void => {
    if (event.key !== name || event.newValue === null) return;
    let data: unknown;
    try {
      data = JSON.parse(event.newValue);
    } catch {
      return;
    }
    const message = parseSessionMessage(data);
    if (message) void onMessage(message);
  };
  window.addEventListener("storage", onStorage);
  return () => {
    stopLocal();
    window.removeEventListener("storage", onStorage);
  };
}
