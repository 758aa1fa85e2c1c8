// What code that talks to a pipeline needs (its definition, checks, queries, updates and result types), workflow-safe:
// exported by the pipeline's index and by `temporal-airbyte/definitions` from this one list.
export { PipelineFailureType } from '../failure-types';
export {
  checkPipeline,
  LIVE_JOB_IDS_MAX_STEPS,
  type ActivityStep,
  type DbtStep,
  type PipelineDefinition,
  type PipelineStep,
  type StepBase,
  type SyncStep,
  type WorkflowStep,
  type WorkspaceStep,
} from './definition';
export {
  cancelPipelineUpdate,
  cancelStepUpdate,
  pipelineProgressQuery,
  pipelineStepsQuery,
  RESULT_STEP_LIMIT,
  type PipelineProgress,
  type PipelineResult,
  type PipelineStepsPage,
  type PipelineStepsRequest,
  type PipelineTotals,
  type StepKind,
  type StepState,
  type StepStatus,
} from './status';
