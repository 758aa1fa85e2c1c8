// A workflow interceptor module, bundled with the SDK's OpenTelemetry workflow interceptors when tracing is on:
// it only gives the sandbox a propagator, so activities and child workflows continue their workflow's trace.
import { propagation } from '@opentelemetry/api';
import type { WorkflowInterceptors } from '@temporalio/workflow';
import { TraceParentPropagator } from './trace-propagation';

propagation.setGlobalPropagator(new TraceParentPropagator());

export const interceptors = (): WorkflowInterceptors => ({});
