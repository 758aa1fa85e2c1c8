export { createDbtActivities, type DbtActivities } from './create-dbt-activities';
export { dbtEnvironment, type DbtEnvironment, type DbtEnvironmentOptions } from './environment';
export { DbtExecutableNotFoundError, resolveDbtExecutable, type ResolveDbtExecutableOptions } from './executable';
export { DBT_INVALID_INPUT, DBT_INVOCATION_ERROR, DBT_PROCESS_KILLED, DBT_RUN_FAILED } from './failures';
export type * from './types';
