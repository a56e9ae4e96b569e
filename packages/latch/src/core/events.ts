import { EventError } from "../errors.js";
import type { EventCallbacks } from "../types.js";
import type { ResolvedConfig } from "./config.js";

type EventMessage<K extends keyof EventCallbacks> = Parameters<NonNullable<EventCallbacks[K]>>[0];

/** Runs an `events` handler; a handler that throws is logged, never allowed to break the flow. */
export async function runEvent<K extends keyof EventCallbacks>(resolved: ResolvedConfig, name: K, message: EventMessage<K>): Promise<void> {
  const handler = resolved.config.events?.[name] as ((m: EventMessage<K>) => unknown) | undefined;
  if (!handler) return;
  try {
    await handler(message);
  } catch (error) {
    resolved.logger.error(new EventError(`The "${name}" event handler threw.`, { cause: error }));
  }
}
