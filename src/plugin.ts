import { SimplePlugin } from '@temporalio/plugin';
import { activityLogger, AirbyteInstances, createAirbyteActivities, type AirbyteInstancesInput } from './activities';
import { createReconcileActivities } from './activities/reconcile';

/**
 * Adds the Airbyte activities to an existing worker in one line:
 *   Worker.create({ ..., plugins: [new AirbytePlugin({ instances: { default: {...} } })] })
 * TypeScript plugins cannot register workflows: re-export ours from your workflows module
 * (`export * from 'temporal-airbyte/workflows'`).
 */
export class AirbytePlugin extends SimplePlugin {
  constructor(options: { instances: AirbyteInstances | AirbyteInstancesInput }) {
    // One registry for both sets of activities: one client (and token cache) per instance.
    const instances = options.instances instanceof AirbyteInstances ? options.instances : new AirbyteInstances(options.instances, activityLogger);
    super({ name: 'temporal-airbyte', activities: { ...createAirbyteActivities(instances), ...createReconcileActivities(instances) } });
  }
}
