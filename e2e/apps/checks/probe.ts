/**
 * What the checks app records about itself so the browser tests can see inside it:
 * how often the lazy config ran, how often the `jwt` callback ran for a given
 * request, and which config served each sign-out.
 *
 * The state lives on `globalThis`, not in a module variable: Next.js bundles
 * pages and route handlers as separate entries, and a module shared between them
 * may be instantiated once per entry, while `globalThis` is one per server process.
 */

/** The header a test sets to tag a request; the `jwt` callback counts its calls under this id. */
export const REQUEST_ID_HEADER = "x-checks-request-id";

/** The recorded state. */
export interface Probe {
  /** Calls of the lazy config function so far. */
  configCalls: number;
  /** `jwt` callback calls by request id (requests without the header are not counted). */
  jwtCalls: Map<string, number>;
  /** One entry per `signOut` event: the config call that handled it and whose session ended. */
  signOuts: { configCall: number; sub: string | undefined }[];
}

declare global {
  // `var` is what declares a property of globalThis.
  var latchChecksProbe: Probe | undefined;
}

/**
 * The process-wide probe, created on first use.
 *
 * @example
 * ```ts
 * probe().configCalls += 1;
 * ```
 */
export function probe(): Probe {
  globalThis.latchChecksProbe ??= { configCalls: 0, jwtCalls: new Map(), signOuts: [] };
  return globalThis.latchChecksProbe;
}
