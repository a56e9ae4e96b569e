import { getResolvedConfig, type ResolvedConfig, type SharedState } from "../core/config.js";
import { redactString } from "../core/redact.js";
import type { Awaitable } from "../types.js";
import type { NextAuthConfig } from "./types.js";

/** The config a `NextAuth()` call was given: the object, or a function of the request. */
export type ConfigInput = NextAuthConfig | ((request: Request | undefined) => Awaitable<NextAuthConfig>);

/** What every part of the Next.js layer shares for one `NextAuth()` call. */
export interface Instance {
  /** Resolves the config (cached per config object); the lazy form is called with the request. */
  getConfig(request: Request | undefined): Promise<ResolvedConfig>;
}

/** Creates the shared state of one `NextAuth()` call. */
export function createInstance(input: ConfigInput): Instance {
  // The lazy form may build a new config object per request: they all share this state (the
  // in-memory rate-limit store), or nothing would be throttled.
  const shared: SharedState = {};
  return {
    async getConfig(request) {
      const config = typeof input === "function" ? await input(request) : input;
      // NextAuthConfig only adds `callbacks.authorized`, which the engine does not read.
      return getResolvedConfig(config, shared);
    },
  };
}

/** The `authorized` callback of a resolved config, if the app set one. */
export function authorizedCallback(resolved: ResolvedConfig): NonNullable<NonNullable<NextAuthConfig["callbacks"]>["authorized"]> | undefined {
  const config: NextAuthConfig = resolved.config;
  return config.callbacks?.authorized;
}

/** Logs through the app's logger when the config is known, else to the console; never a token. */
export function logError(resolved: ResolvedConfig | undefined, message: string, cause: unknown): void {
  const error = new Error(message, { cause });
  error.name = "LatchError";
  if (resolved) resolved.logger.error(error);
  else console.error(`[latch][error] ${message}`, redactString(cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)));
}
