import type { AuthConfig, LoggerInstance } from "../types.js";
import { redact, redactString } from "./redact.js";

/**
 * The logger latch writes to: the app's, or the console with a `[latch]` prefix. Every line is
 * redacted first (see `redact`): the app's logger never receives a token, cookie or secret,
 * whatever an error or its cause quotes. `secrets` is read at each line, so secrets learnt after
 * the logger was made (provider client secrets) are covered too. Debug lines are dropped unless
 * `debug: true`.
 */
export function createLogger(config: Pick<AuthConfig, "logger" | "debug">, secrets: () => readonly string[] = () => []): LoggerInstance {
  const custom = config.logger ?? {};
  const error = custom.error ?? ((e: Error) => console.error(`[latch][error] ${e.name}: ${e.message}`, ...causeOf(e)));
  const warn = custom.warn ?? ((code: string) => console.warn(`[latch][warn] ${code}`));
  const debug = custom.debug ?? ((message: string, metadata?: unknown) => console.debug(`[latch][debug] ${message}`, metadata ?? ""));
  return {
    error: (e) => guarded(() => error(redact(e, secrets()))),
    warn: (code) => guarded(() => warn(redactString(code, secrets()))),
    debug: config.debug ? (message, metadata) => guarded(() => debug(redactString(message, secrets()), redact(metadata, secrets()))) : () => undefined,
  };
}

/** Runs a log call; an app logger that throws costs its line, never the request that logged it. */
function guarded(log: () => unknown): void {
  try {
    const result = log();
    // An async logger's rejection is as harmless.
    if (result instanceof Promise) result.catch(() => undefined);
  } catch {
    // Nowhere left to report it.
  }
}

function causeOf(error: Error): unknown[] {
  const cause = error.cause;
  if (cause instanceof Error) return [`\n  cause: ${cause.name}: ${cause.message}`];
  return [];
}
