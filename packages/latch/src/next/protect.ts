import type { NextRequest } from "next/server";
import type { Awaitable } from "../types.js";
import type { Instance } from "./instance.js";
import { readRequestSession } from "./proxy.js";
import { unauthorizedResponse, withCookies } from "./responses.js";
import type { ProtectedRequest } from "./types.js";

/**
 * Wraps a route handler that needs a session. Without one it answers 401 JSON with a
 * `WWW-Authenticate` challenge and never calls the handler; with one, `req.auth` is the session.
 */
export function createProtect(instance: Instance) {
  return function protect<C = unknown>(handler: (request: ProtectedRequest, context: C) => Awaitable<Response>) {
    return async (request: NextRequest, context: C): Promise<Response> => {
      const { result } = await readRequestSession(instance, request);
      if (!result.session) return withCookies(unauthorizedResponse(result.status === "invalid"), result.cookies);
      const protectedRequest: ProtectedRequest = Object.assign<NextRequest, { auth: typeof result.session }>(request, { auth: result.session });
      return withCookies(await handler(protectedRequest, context), result.cookies);
    };
  };
}
