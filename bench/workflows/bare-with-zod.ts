// The bare workflows in a bundle that also holds zod and one schema built at module load, never called: the memory
// section's control for what a validation library costs per workflow in the sandbox (why workflow code uses
// superstruct). The schema is the sync input's shape as it was written with zod.
import { z } from 'zod';
export * from './bare';

const duration = z.union([z.number(), z.string()]);
export const zodSyncInput = z
  .object({
    connectionId: z.string().uuid(),
    connectionName: z.string().trim().min(1).max(200).optional(),
    jobType: z.enum(['sync', 'reset', 'clear']).default('sync'),
    instance: z.string().regex(/^[A-Za-z0-9][\w.-]{0,99}$/).default('default'),
    poll: z.object({ initialInterval: duration.optional(), maxInterval: duration.optional(), latenessRatio: z.number().positive().max(10).optional(), webhooks: z.boolean().optional() }).strict().default({}),
    timeout: duration.optional(),
    cancelOnTimeout: z.boolean().default(true),
    cancelOnWorkflowCancel: z.boolean().default(true),
    onFailure: z.enum(['throw', 'return']).default('throw'),
    report: z.boolean().default(true),
    historyBound: z.number().int().min(50).max(40_000).default(2_000),
    retry: z.object({ initialInterval: duration.optional(), maximumInterval: duration.optional(), maximumAttempts: z.number().int().positive().optional() }).strict().default({}),
  })
  .strict();
