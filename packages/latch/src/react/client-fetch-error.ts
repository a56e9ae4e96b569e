/**
 * A request of `latch/react` to latch's routes failed: the network, a non-2xx status, or an
 * answer that is not the expected JSON. `status` is the HTTP status when there was one.
 *
 * @example
 * ```ts
 * try { await getCsrfToken(); } catch (error) { if (error instanceof ClientFetchError) showOffline(); }
 * ```
 */
export class ClientFetchError extends Error {
  // Spelled out: minifiers rename classes.
  override name = "ClientFetchError";
  /** The HTTP status, when the server answered. */
  readonly status: number | undefined;

  constructor(message: string, options: { status?: number | undefined; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status;
  }
}
