import { useContext, useEffect, useState } from "react";
import { createBearerClient, type BearerClient, type BearerClientOptions } from "../client/bearer.js";
import { SessionContext } from "./session-context.js";

/**
 * A bearer client (see `latch/client`) for this component tree: created once, on the provider's
 * `basePath` unless you give one, closed when the component unmounts. It drops its token when a
 * `<SessionProvider>` in any tab announces a sign-out or another session.
 *
 * @example
 * ```tsx
 * "use client";
 * import { useBearerClient } from "latch/react";
 * export function Orders() {
 *   const api = useBearerClient();
 *   const load = async () => setOrders(await (await api.fetch("/api/orders")).json());
 *   // …
 * }
 * ```
 */
export function useBearerClient(options: BearerClientOptions = {}): BearerClient {
  const provided = useContext(SessionContext);
  const basePath = options.basePath ?? provided?.basePath;
  const [client] = useState(() => createBearerClient({ ...options, ...(basePath !== undefined ? { basePath } : {}) }));
  useEffect(() => () => client.close(), [client]);
  return client;
}
