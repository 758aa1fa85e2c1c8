export { AirbyteAdminClient, AirbyteAdminError, type AdminTarget } from './admin-client';
