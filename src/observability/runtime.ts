import { Runtime, type LogLevel } from '@temporalio/worker';
import { AirbyteMetrics } from '../common/metric-names';
import { createWorkerLogger, type LogFormat } from './logger';

export interface WorkerTelemetryOptions {
  logLevel?: LogLevel;
  logFormat?: LogFormat;
  /** host:port of a Prometheus endpoint (`/metrics`) with the SDK's and the project's metrics; none when unset. */
  metricsAddress?: string;
}

// Buckets that fit what the histograms measure: jobs of seconds to a day, detection within ms to minutes.
const BUCKETS: Record<string, number[]> = {
  [AirbyteMetrics.jobDuration]: [5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21_600, 86_400],
  [AirbyteMetrics.detectionLateness]: [100, 250, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000, 300_000],
  [AirbyteMetrics.apiCallDuration]: [10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000],
};

/**
 * Installs the process's Temporal runtime: its logger (the SDK's own lines and Core's forwarded, at one level)
 * and its metrics exporter. Once per process, before any connection or worker is made.
 */
export function installWorkerRuntime(options: WorkerTelemetryOptions): Runtime {
  const level = options.logLevel ?? 'INFO';
  return Runtime.install({
    logger: createWorkerLogger(level, options.logFormat ?? 'json'),
    telemetryOptions: {
      logging: { filter: { core: level, other: 'WARN' }, forward: {} },
      ...(options.metricsAddress && {
        metrics: { prometheus: { bindAddress: options.metricsAddress, histogramBucketOverrides: BUCKETS } },
      }),
    },
  });
}
