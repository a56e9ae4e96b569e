/**
 * How providers and the standalone functions tell each other that the session changed, in this
 * document and in every other tab of the origin: a `BroadcastChannel` (which also delivers to
 * other channel objects of the same document), or, where there is none, a `localStorage` write
 * (other tabs see a `storage` event) plus a DOM event for this document. Nothing is kept between
 * calls: each announcement opens its own channel.
 */

/**
 * One announcement. `changed`: refetch, unless `key` says you already hold this session.
 * `renewed`: someone fetched the session, which moved its expiry; check it no earlier than
 * `checkAt` (browser-clock ms).
 */
export type SessionMessage =
  | { kind: "changed"; from: string; key?: string | undefined }
  | { kind: "renewed"; from: string; checkAt: number };

/** The channel (and storage key, and DOM event) name for a base path. */
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

/**
 * Tells every provider of this origin and base path, in this tab and the others.
 *
 * @example
 * ```ts
 * announce("/api/auth", { kind: "changed", from: senderId() });
 * ```
 */
export function announce(basePath: string, message: SessionMessage): void {
  if (typeof window === "undefined") return;
  const name = channelName(basePath);
  if (typeof BroadcastChannel !== "undefined") {
    const channel = new BroadcastChannel(name);
    channel.postMessage(message);
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
  window.dispatchEvent(new CustomEvent(name, { detail: message }));
}

/**
 * Calls `onMessage` for every announcement of this base path from others; returns the function
 * that stops listening.
 *
 * @example
 * ```ts
 * useEffect(() => listen(basePath, (message) => store.receive(message)), [basePath]);
 * ```
 */
export function listen(basePath: string, onMessage: (message: SessionMessage) => void): () => void {
  const name = channelName(basePath);
  if (typeof BroadcastChannel !== "undefined") {
    const channel = new BroadcastChannel(name);
    channel.onmessage = (event: MessageEvent<unknown>) => {
      const message = parseSessionMessage(event.data);
      if (message) onMessage(message);
    };
    return () => channel.close();
  }
  const onStorage = (event: StorageEvent): void => {
    if (event.key !== name || event.newValue === null) return;
    let data: unknown;
    try {
      data = JSON.parse(event.newValue);
    } catch {
      return;
    }
    const message = parseSessionMessage(data);
    if (message) onMessage(message);
  };
  const onLocal = (event: Event): void => {
    const message = event instanceof CustomEvent ? parseSessionMessage(event.detail) : undefined;
    if (message) onMessage(message);
  };
  window.addEventListener("storage", onStorage);
  window.addEventListener(name, onLocal);
  return () => {
    window.removeEventListener("storage", onStorage);
    window.removeEventListener(name, onLocal);
  };
}
