import type * as OtelApi from '@opentelemetry/api';
import type * as OtelAsyncHooks from '@opentelemetry/context-async-hooks';
import type * as OtelCore from '@opentelemetry/core';
import type * as OtlpHttp from '@opentelemetry/exporter-trace-otlp-http';
import type * as OtelResources from '@opentelemetry/resources';
import type { Resource } from '@opentelemetry/resources';
import type * as OtelTraceBase from '@opentelemetry/sdk-trace-base';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type * as TemporalOtel from '@temporalio/interceptors-opentelemetry';
import type { WorkerOptions } from '@temporalio/worker';

/** OpenTelemetry tracing of workflows, activities and Nexus operations, through the SDK's interceptors. */
export interface AirbyteTracingOptions {
  /** Where spans go, e.g. `new BatchSpanProcessor(new OTLPTraceExporter())`. */
  spanProcessor: SpanProcessor;
  /** Default: `service.name` = `temporal-airbyte-worker`. */
  resource?: Resource;
}

interface WorkerConfigurer {
  configureWorker(options: WorkerOptions): WorkerOptions;
}

/** The SDK's plugin, and our propagator in the workflow sandbox when the worker bundles at start. */
class TracingConfigurer implements WorkerConfigurer {
  constructor(private readonly plugin: WorkerConfigurer) {}

  configureWorker(options: WorkerOptions): WorkerOptions {
    const configured = this.plugin.configureWorker(options);
    if (configured.workflowsPath === undefined) return configured;
    const modules = configured.interceptors?.workflowModules ?? [];
    return { ...configured, interceptors: { ...configured.interceptors, workflowModules: [require.resolve('./workflow-tracing'), ...modules] } };
  }
}

// The tracing packages are optional peers: loaded only when tracing is asked for, with a message saying what to
// install when they are missing.
function load<T>(name: string): T {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- an optional peer, loaded on demand
    return require(name) as T;
  } catch {
    throw new Error(`tracing needs ${name}: npm install ${name}`);
  }
}

function defaultResource(): Resource {
  const { Resource: ResourceClass } = load<typeof OtelResources>('@opentelemetry/resources');
  return new ResourceClass({ 'service.name': 'temporal-airbyte-worker' });
}

/** The workflow interceptor modules a traced bundle holds: the propagator first, then the SDK's interceptors. */
export function tracingWorkflowModules(): string[] {
  return [require.resolve('./workflow-tracing'), require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')];
}

/** The SDK's OpenTelemetry plugin for these options (client, activity, Nexus and workflow interceptors, span sink). */
export function tracingConfigurer(options: AirbyteTracingOptions): WorkerConfigurer {
  const { OpenTelemetryPlugin } = load<typeof TemporalOtel>('@temporalio/interceptors-opentelemetry');
  const { BasicTracerProvider } = load<typeof OtelTraceBase>('@opentelemetry/sdk-trace-base');
  const resource = options.resource ?? defaultResource();
  // Activity and Nexus spans come from this tracer (workflow spans go through the plugin's sink to the same
  // processor), not from whatever global tracer the process may or may not have registered.
  const provider = new BasicTracerProvider({ resource, spanProcessors: [options.spanProcessor] });
  // Activities continue their workflow's trace from W3C headers, which takes a propagator and a context manager:
  // the API's defaults do nothing. An application that registered its own keeps them (the API refuses a second).
  const { context, propagation } = load<typeof OtelApi>('@opentelemetry/api');
  const { W3CTraceContextPropagator } = load<typeof OtelCore>('@opentelemetry/core');
  const { AsyncLocalStorageContextManager } = load<typeof OtelAsyncHooks>('@opentelemetry/context-async-hooks');
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  return new TracingConfigurer(new OpenTelemetryPlugin({ spanProcessor: options.spanProcessor, resource, tracer: provider.getTracer('temporal-airbyte') }));
}

/**
 * Tracing from the standard OpenTelemetry variables: on when OTEL_EXPORTER_OTLP_ENDPOINT (or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set, exporting OTLP over HTTP; OTEL_SERVICE_NAME names the service.
 */
export function tracingFromEnv(env: NodeJS.ProcessEnv): AirbyteTracingOptions | undefined {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return undefined;
  const { OTLPTraceExporter } = load<typeof OtlpHttp>('@opentelemetry/exporter-trace-otlp-http');
  const { BatchSpanProcessor } = load<typeof OtelTraceBase>('@opentelemetry/sdk-trace-base');
  const { Resource: ResourceClass } = load<typeof OtelResources>('@opentelemetry/resources');
  return {
    // The exporter reads the endpoint, headers and timeout from the OTEL_EXPORTER_OTLP_* variables itself.
    spanProcessor: new BatchSpanProcessor(new OTLPTraceExporter()),
    resource: new ResourceClass({ 'service.name': env.OTEL_SERVICE_NAME || 'temporal-airbyte-worker' }),
  };
}
