import type { RequestContext } from "../config.js";
import { readDatabaseSession } from "./database-session.js";
import { readJwtSession, type ReadSessionOptions, type SessionResult } from "./jwt-session.js";

/** Reads the session with the configured strategy: an encrypted token, or a row in the adapter. */
export function readSession(ctx: RequestContext, cookies: Map<string, string>, options: ReadSessionOptions): Promise<SessionResult> {
  return ctx.resolved.strategy === "database" ? readDatabaseSession(ctx, cookies, options) : readJwtSession(ctx, cookies, options);
}
