import { Context } from '@temporalio/activity';
import type { MetricMeter } from '@temporalio/common';
import type { AirbyteCall, AirbyteCallObserver } from '../airbyte';
import { AirbyteMetrics } from '../common/metric-names';

interface CallInstruments {
  calls: ReturnType<MetricMeter['createCounter']>;
  duration: ReturnType<MetricMeter['createHistogram']>;
}

// One set of instruments per meter (each activity's context has its own, tagged with the activity).
const instruments = new WeakMap<MetricMeter, CallInstruments>();

/**
 * Counts every Airbyte exchange of an activity on the worker's metric meter (Prometheus or OTel, whatever the
 * Temporal runtime exports to). Outside an activity (a client used directly) there is no meter: nothing is counted.
 */
export function airbyteCallMetrics(instance: string): AirbyteCallObserver {
  return (call: AirbyteCall) => {
    let meter: MetricMeter;
    try {
      meter = Context.current().metricMeter;
    } catch {
      return;
    }
    let set = instruments.get(meter);
    if (!set) {
      set = {
        calls: meter.createCounter(AirbyteMetrics.apiCalls, 'calls', 'Exchanges with the Airbyte API'),
        duration: meter.createHistogram(AirbyteMetrics.apiCallDuration, 'int', 'ms', 'Duration of exchanges with the Airbyte API'),
      };
      instruments.set(meter, set);
    }
    const tags = { instance, endpoint: call.route, status: call.status === undefined ? 'none' : String(call.status) };
    set.calls.add(1, tags);
    set.duration.record(Math.max(0, Math.round(call.durationMs)), tags);
  };
}
