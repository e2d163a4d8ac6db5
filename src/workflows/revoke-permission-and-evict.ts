import type { WebPubSubOperations } from '../ports/web-pubsub.js';
import type { StepOutcome } from './workflow-run.js';
import { WorkflowRun } from './workflow-run.js';

export const revokePermissionAndEvictWorkflowId = 'revoke-permission-and-evict';

export interface RevokePermissionAndEvictInput {
  connectionId: string;
  permission: 'sendToGroup' | 'joinLeaveGroup';
  /** The group the permission is revoked for; absent means every group. */
  targetName?: string;
  reason?: string;
}

export interface RevokePermissionAndEvictOutput {
  revokeStatus: number;
  closeStatus: number;
  steps: readonly StepOutcome[];
}

/** Arazzo `revoke-permission-and-evict`: revokePermission (204), then evictConnection (204). */
export async function revokePermissionAndEvict(
  client: WebPubSubOperations,
  input: RevokePermissionAndEvictInput,
): Promise<RevokePermissionAndEvictOutput> {
  const run = new WorkflowRun(revokePermissionAndEvictWorkflowId);
  const revoke = await run.step('revokePermission', 204, (options) =>
    client.revokePermission(input.connectionId, input.permission, {
      ...options,
      ...(input.targetName ? { targetName: input.targetName } : {}),
    }),
  );
  const close = await run.step('evictConnection', 204, (options) =>
    client.closeConnection(input.connectionId, { ...options, ...(input.reason ? { reason: input.reason } : {}) }),
  );
  return { revokeStatus: revoke.status, closeStatus: close.status, steps: run.steps };
}
