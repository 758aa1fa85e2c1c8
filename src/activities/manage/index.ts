export { createManageActivities, type ManageActivities, type ManageActivityOptions } from './create-manage-activities';
export { checkDeleteGuard, DELETE_REFUSED } from './guard';
export { resolveSecretFields, secretsFromDirectory, secretsFromMap, type SecretResolver } from './secrets';
export type * from './types';
