import { configError, type Reply } from '../problems';
import { connectionRead } from '../resource-views';
import type { MockState } from '../state';
import { attemptInfoRead, jobInfoRead, jobInfoWithoutLogs } from '../views';
import { isRecord, ok, type ApiCall } from './common';

// The Config API (`/api/v1`, RPC style): job and attempt details with per-stream stats and logs, and the
// ConnectionRead dagster-airbyte reads. Errors are `{message, errorId}`.

const invalid = (field: string, message: string): Reply => ({
  status: 422,
  body: { message: `Invalid input: ${field} ${message}.`, validationErrors: [{ propertyPath: field, message }] },
});

const integer = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value);

export function configApi(state: MockState, call: ApiCall): Reply {
  const body = isRecord(call.body) ? call.body : {};
  if (call.method !== 'POST') return configError(404, `No route for ${call.method} /api/v1${call.path}`);
  switch (call.path) {
    case '/jobs/get':
    case '/jobs/get_without_logs': {
      if (!integer(body.id)) return invalid('id', 'must be an integer');
      const run = state.jobs.runs.get(body.id);
      if (!run) return configError(404, `Could not find job with id: ${body.id}`);
      return ok(call.path === '/jobs/get' ? jobInfoRead(run) : jobInfoWithoutLogs(run));
    }
    case '/attempt/get_for_job': {
      if (!integer(body.jobId)) return invalid('jobId', 'must be an integer');
      if (!integer(body.attemptNumber)) return invalid('attemptNumber', 'must be an integer');
      const run = state.jobs.runs.get(body.jobId);
      const attempt = run?.attemptLog[body.attemptNumber];
      if (!run || !attempt) return configError(404, `Could not find attempt for job_id: ${body.jobId} and attempt no: ${body.attemptNumber}`);
      return ok(attemptInfoRead(run, attempt));
    }
    case '/connections/get': {
      if (typeof body.connectionId !== 'string') return invalid('connectionId', 'must be a string');
      const entry = state.connections.get(body.connectionId);
      // A deleted connection is still read, with status 'deprecated'.
      if (!entry) return configError(404, `Could not find configuration for STANDARD_SYNC: ${body.connectionId}.`);
      return ok(connectionRead(entry.connection, state.sources.get(entry.connection.sourceId)));
    }
    default:
      return configError(404, `No route for ${call.method} /api/v1${call.path}`);
  }
}
