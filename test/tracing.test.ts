import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { AirbyteTestEnvironment } from '../src/testing';
import { FAST_POLL, startTestEnvironment } from './helpers/environment';

// Tracing by option: the SDK's OpenTelemetry interceptors on the worker, workflow spans included (the worker
// bundles the workflows with the tracing interceptors in them, as the traced prebuilt bundle has them).

/** Keeps the spans, and resolves a waiter as soon as the spans it waits for have ended (no polling). */
class WatchedExporter extends InMemorySpanExporter {
  private waiters: { names: string[]; resolve: () => void }[] = [];

  override export(spans: ReadableSpan[], done: Parameters<InMemorySpanExporter['export']>[1]): void {
    super.export(spans, done);
    const ready = this.waiters.filter((w) => this.finished(w.names));
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }

  /** Resolves once a span of each name has ended. */
  spansEnded(...names: string[]): Promise<void> {
    return new Promise((resolve) => {
      if (this.finished(names)) resolve();
      else this.waiters.push({ names, resolve });
    });
  }

  private finished(names: string[]): boolean {
    return names.every((name) => this.getFinishedSpans().some((s) => s.name === name));
  }
}

const exporter = new WatchedExporter();
let env: AirbyteTestEnvironment;

beforeAll(async () => {
  env = await startTestEnvironment({
    tracing: { spanProcessor: new SimpleSpanProcessor(exporter) },
    workerOptions: { workflowBundle: undefined }, // not the run's untraced bundle
  });
}, 180_000);
afterAll(async () => {
  await env?.close();
});

test('a sync leaves spans for its workflows and its Airbyte activities, in one trace per workflow run', async () => {
  const { connectionId } = env.mock.addConnection({ script: { phases: [{ status: 'running', ms: 300 }] } });
  const result = await env.syncs.syncAndWait({ connectionId, poll: FAST_POLL });
  expect(result.status).toBe('succeeded');
  // A workflow's own span ends with its last activation, which may complete just after the client has the result;
  // the owner's comes after the waiter's (it closes once it has told the waiter).
  await exporter.spansEnded('RunWorkflow:syncAndWait', 'RunWorkflow:airbyteJobOwner');
  const names = exporter.getFinishedSpans().map((s) => s.name);
  expect(names).toEqual(expect.arrayContaining(['RunWorkflow:syncAndWait', 'RunWorkflow:airbyteJobOwner', 'StartActivity:airbyteCreateJob', 'RunActivity:airbyteCreateJob', 'RunActivity:airbyteGetJob']));
  // The activity ran inside its workflow's trace.
  const spans = exporter.getFinishedSpans();
  const create = spans.find((s) => s.name === 'RunActivity:airbyteCreateJob');
  const scheduled = spans.find((s) => s.name === 'StartActivity:airbyteCreateJob');
  expect(create?.spanContext().traceId).toBe(scheduled?.spanContext().traceId);
  expect(create?.parentSpanId).toBe(scheduled?.spanContext().spanId);
});
