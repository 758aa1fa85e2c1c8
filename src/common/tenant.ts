/** One workflow id per tenant for onboarding and offboarding alike: they never run at the same time. */
export function tenantWorkflowId(tenantId: string, instance = 'default'): string {
  return `airbyte-tenant:${instance}:${tenantId}`;
}
