/**
 * The tracer OpenTelemetry hands out fits `tracer` as it is — the API's `Tracer` and the SDK's —
 * with no cast and no wrapper; and `switch (event.type)` narrows an audit event to its fields.
 */
import { trace, type Tracer } from "@opentelemetry/api";
import { BasicTracerProvider } from "@opentelemetry/sdk-trace-base";
import type { AuditEvent, AuthConfig, TelemetryTracer } from "latch";
import { expectTypeOf } from "vitest";

expectTypeOf<Tracer>().toExtend<TelemetryTracer>();

export const withApiTracer: AuthConfig = { providers: [], tracer: trace.getTracer("latch") };
export const withSdkTracer: AuthConfig = { providers: [], tracer: new BasicTracerProvider().getTracer("latch") };

// Something that only looks like a tracer is refused: startSpan alone is not what latch calls.
expectTypeOf<{ startSpan: () => undefined }>().not.toExtend<TelemetryTracer>();

// A sink may be async; it gets the closed union.
export const withSink: AuthConfig = {
  providers: [],
  audit: async (event) => {
    expectTypeOf(event).toEqualTypeOf<AuditEvent>();
    await Promise.resolve();
  },
};

export function summary(event: AuditEvent): string {
  switch (event.type) {
    case "sign-in":
      expectTypeOf(event.newDevice).toEqualTypeOf<boolean>();
      return `${event.userId} via ${event.provider}`;
    case "sign-in-failed":
      expectTypeOf(event.code).toEqualTypeOf<string | undefined>();
      return event.error;
    case "token-refreshed":
    case "token-refresh-failed":
      expectTypeOf(event.kind).toEqualTypeOf<"provider" | "refresh-token">();
      return event.kind;
    case "session-revoked":
      expectTypeOf(event.reason).toEqualTypeOf<"sign-out-everywhere" | "refresh-token-reused" | "client-revoked" | "email-proved" | "revoked-by-app">();
      return event.reason;
    case "rate-limited":
      expectTypeOf(event.retryAfter).toEqualTypeOf<number>();
      return event.limit;
    case "new-device":
      return event.deviceId;
    case "sign-out":
      expectTypeOf(event.userId).toEqualTypeOf<string | undefined>();
      return event.time;
  }
}
