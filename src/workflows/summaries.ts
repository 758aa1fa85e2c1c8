// How a sync names its connection in the Temporal UI (start summaries, current details): by name when the
// caller or the pipeline knows it, and always by id, which is what one searches and pastes.

export interface ConnectionLabel {
  connectionId: string;
  connectionName?: string;
  instance: string;
}

/** `Stripe -> Warehouse (connection 3f1c..., default)`, or `connection 3f1c... (default)` without a name. */
export function connectionLabel({ connectionId, connectionName, instance }: ConnectionLabel): string {
  return connectionName ? `${connectionName} (connection ${connectionId}, ${instance})` : `connection ${connectionId} (${instance})`;
}

export function syncSummary(label: ConnectionLabel & { jobType: string }): string {
  return `Airbyte ${label.jobType} of ${connectionLabel(label)}`;
}
