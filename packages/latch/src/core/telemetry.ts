/**
 * Optional OpenTelemetry spans. latch imports no OpenTelemetry package: the app passes its
 * tracer (`trace.getTracer("latch")`) as `tracer`, typed structurally. Without one, `traced`
 * just calls the function. A tracer that throws costs the span, never the request.
 */
import type { TelemetryAttributeValue, TelemetrySpan } from "../types.js";
import type { ResolvedConfig } from "./config.js";
import { redact } from "./redact.js";

/** OpenTelemetry's SpanKind.INTERNAL and SpanStatusCode.ERROR. */
const SPAN_KIND_INTERNAL = 0;
const STATUS_ERROR = 2;

/** Sets an attribute, ignoring a span that throws. */
export function setSpanAttribute(span: TelemetrySpan | undefined, key: string, value: TelemetryAttributeValue | undefined): void {
  if (!span || value === undefined) return;
  try {
    span.setAttribute(key, value);
  } catch {
    // A broken tracer costs the attribute.
  }
}

/** Marks a span failed, ignoring a span that throws. */
export function failSpan(span: TelemetrySpan | undefined, message: string, error?: unknown, secrets: readonly string[] = []): void {
  if (!span) return;
  try {
    if (error instanceof Error) span.recordException(redact(error, secrets));
    span.setStatus({ code: STATUS_ERROR, message });
  } catch {
    // As above.
  }
}

/**
 * Runs `fn` inside an active span named `name` when the config has a tracer; a throw from `fn`
 * is recorded on the span and rethrown.
 */
export async function traced<T>(resolved: ResolvedConfig, name: string, attributes: Record<string, TelemetryAttributeValue>, fn: (span: TelemetrySpan | undefined) => Promise<T>): Promise<T> {
  const tracer = resolved.config.tracer;
  if (!tracer) return fn(undefined);
  let started = false;
  try {
    const result = await tracer.startActiveSpan(name, { kind: SPAN_KIND_INTERNAL, attributes }, async (span: TelemetrySpan) => {
      started = true;
      try {
        return await fn(span);
      } catch (error) {
        failSpan(span, error instanceof Error ? error.name : "error", error, resolved.secrets);
        throw error;
      } finally {
        try {
          span.end();
        } catch {
          // As above.
        }
      }
    });
    // A broken tracer that never called back: run it without a span.
    return started ? result : await fn(undefined);
  } catch (error) {
    // The tracer failed before running fn: run it without a span. Errors of fn itself propagate.
    if (started) throw error;
    return fn(undefined);
  }
}
