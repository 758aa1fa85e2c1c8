import { WorkflowNotFoundError } from '@temporalio/client';
import { AirbyteApiError, AirbyteConfigError } from '../airbyte';
import { AirbyteInputError, AirbytePipelineError, AirbyteSyncError } from '../client';
import { TemporalUnreachableError } from '../config/temporal-connection';
import { PipelineDefinitionError } from '../pipelines/load-pipeline';
import { SyncFailureType } from '../workflows/failure-types';

/** What `temporal-airbyte` exits with; scripts branch on these (the README lists them). */
export const ExitCode = {
  Succeeded: 0,
  /** The Airbyte job (or a pipeline step) failed. */
  JobFailed: 1,
  /** Bad arguments or input, refused before anything ran. */
  BadInput: 2,
  /** The job or pipeline was cancelled. */
  Cancelled: 3,
  /** The sync's timeout passed. */
  TimedOut: 4,
  /** Airbyte could not be reached, or refused for good (an unknown connection, bad credentials). */
  AirbyteUnreachable: 5,
  /** The Temporal server could not be reached. */
  TemporalUnreachable: 6,
  /** No such workflow, schedule or connection. */
  NotFound: 7,
  /** Stopped watching with Ctrl-C; what was started goes on. */
  Interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the CLI reports as is, with its exit code. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly code: ExitCode,
  ) {
    super(message);
  }
}

export function exitCodeOf(err: unknown): ExitCode {
  if (err instanceof CliError) return err.code;
  if (err instanceof AirbyteSyncError) {
    switch (err.type) {
      case SyncFailureType.JobFailed:
        return ExitCode.JobFailed;
      case SyncFailureType.JobCancelled:
      case SyncFailureType.Cancelled:
        return ExitCode.Cancelled;
      case SyncFailureType.Terminated:
        return ExitCode.JobFailed;
      case SyncFailureType.TimedOut:
        return ExitCode.TimedOut;
      case SyncFailureType.InvalidInput:
        return ExitCode.BadInput;
      default:
        return ExitCode.AirbyteUnreachable;
    }
  }
  if (err instanceof TemporalUnreachableError) return ExitCode.TemporalUnreachable;
  if (err instanceof AirbytePipelineError) return err.result?.status === 'cancelled' ? ExitCode.Cancelled : ExitCode.JobFailed;
  if (err instanceof AirbyteInputError || err instanceof PipelineDefinitionError || err instanceof AirbyteConfigError) return ExitCode.BadInput;
  if (err instanceof WorkflowNotFoundError || (err as { name?: string } | undefined)?.name === 'ScheduleNotFoundError') return ExitCode.NotFound;
  if (err instanceof AirbyteApiError) return err.status === 404 ? ExitCode.NotFound : ExitCode.AirbyteUnreachable;
  return ExitCode.JobFailed;
}
