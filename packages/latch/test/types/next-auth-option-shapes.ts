/**
 * Options next-auth v5 declares and apps pass compile with latch too (latch reads
 * `broadcast`, and accepts `baseUrl` and `logger` without using them), as against next-auth
 * 5.0.0-beta.32:
 * - `SessionProviderProps.baseUrl` (next-auth/lib/client.d.ts);
 * - `getSession({ broadcast, event, triggerEvent })` (`GetSessionParams`, next-auth/react.d.ts);
 * - `getToken({ …, logger })` (`GetTokenParams.logger`, @auth/core/jwt.d.ts).
 */
import { createElement } from "react";
import { SessionProvider, getSession } from "latch/react";
import { getToken } from "latch/jwt";

export const provider = createElement(SessionProvider, { baseUrl: "https://app.example", basePath: "/api/auth", children: null });

export async function readWithoutBroadcast(): Promise<unknown> {
  return getSession({ broadcast: false });
}

export async function tokenOf(req: Request): Promise<unknown> {
  return getToken({ req, secret: "secret", logger: console });
}
