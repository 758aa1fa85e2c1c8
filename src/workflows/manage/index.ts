export { airbyteManage, MANAGE_OPERATIONS, type ManageOperation, type ManageRequest, type ManageResult } from './manage';
