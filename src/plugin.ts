import { SimplePlugin } from '@temporalio/plugin';
import { createAirbyteActivities, type AirbyteInstances, type AirbyteInstancesInput } from './activities';

/**
 * Adds the Airbyte activities to an existing worker in one line:
 *   Worker.create({ ..., plugins: [new AirbytePlugin({ instances: { default: {...} } })] })
 * TypeScript plugins cannot register workflows: re-export ours from your workflows module
 * (`export * from 'temporal-airbyte/workflows'`).
 */
export class AirbytePlugin extends SimplePlugin {
  constructor(options: { instances: AirbyteInstances | AirbyteInstancesInput }) {
    super({ name: 'temporal-airbyte', activities: createAirbyteActivities(options.instances) });
  }
}
