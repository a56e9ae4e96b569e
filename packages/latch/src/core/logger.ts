import type { AuthConfig, LoggerInstance } from "../types.js";

/**
 * The logger latch writes to: the app's, or the console with a `[latch]` prefix.
 * Debug lines are dropped unless `debug: true`.
 */
export function createLogger(config: Pick<AuthConfig, "logger" | "debug">): LoggerInstance {
  const custom = config.logger ?? {};
  return {
    error: custom.error ?? ((error) => console.error(`[latch][error] ${error.name}: ${error.message}`, ...causeOf(error))),
    warn: custom.warn ?? ((code) => console.warn(`[latch][warn] ${code}`)),
    debug: config.debug ? (custom.debug ?? ((message, metadata) => console.debug(`[latch][debug] ${message}`, metadata ?? ""))) : () => undefined,
  };
}

function causeOf(error: Error): unknown[] {
  const cause = error.cause;
  if (cause instanceof Error) return [`\n  cause: ${cause.name}: ${cause.message}`];
  return [];
}
