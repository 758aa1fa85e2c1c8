import { isSpanContextValid, trace, TraceFlags, type Context, type TextMapGetter, type TextMapPropagator, type TextMapSetter } from '@opentelemetry/api';

const TRACEPARENT = 'traceparent';
const VERSION_00 = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * The W3C `traceparent` header, and nothing else, for the workflow sandbox: the SDK's workflow interceptors
 * inject the trace into activity and child headers through the sandbox's own OpenTelemetry API, whose default
 * propagator does nothing, and @opentelemetry/core's propagator is not sandbox-safe. Node-side code reads the
 * same header with the standard W3C propagator.
 */
export class TraceParentPropagator implements TextMapPropagator {
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const span = trace.getSpanContext(context);
    if (!span || !isSpanContextValid(span)) return;
    const flags = (span.traceFlags & TraceFlags.SAMPLED).toString(16).padStart(2, '0');
    setter.set(carrier, TRACEPARENT, `00-${span.traceId}-${span.spanId}-${flags}`);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const raw = getter.get(carrier, TRACEPARENT);
    const match = VERSION_00.exec((Array.isArray(raw) ? raw[0] : raw) ?? '');
    if (!match) return context;
    const [, traceId, spanId, flags] = match as unknown as [string, string, string, string];
    const span = { traceId, spanId, traceFlags: parseInt(flags, 16) & TraceFlags.SAMPLED, isRemote: true };
    return isSpanContextValid(span) ? trace.setSpanContext(context, span) : context;
  }

  fields(): string[] {
    return [TRACEPARENT];
  }
}
