/** The task queue the worker polls and the client starts on, unless told otherwise. */
export const DEFAULT_TASK_QUEUE = 'airbyte';
