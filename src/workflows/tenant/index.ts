export { onboardTenant } from './onboard';
export { offboardTenant } from './offboard';
export { checkOffboardInput, checkOnboardInput, tenantNames, type ConnectorSpec, type OffboardTenantInput, type OnboardTenantInput } from './input';
export { tenantProgressQuery, type OffboardTenantResult, type OnboardTenantResult, type TenantProgress, type TenantStep, type TenantStepName } from './progress';
