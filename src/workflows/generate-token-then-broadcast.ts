import type { WebPubSubOperations } from '../ports/web-pubsub.js';
import { generateToken } from './steps.js';
import type { StepOutcome } from './workflow-run.js';
import { WorkflowRun } from './workflow-run.js';

export const generateTokenThenBroadcastWorkflowId = 'generate-token-then-broadcast';

export interface GenerateTokenThenBroadcastInput {
  userId: string;
  minutesToExpire: number;
  message: string;
  /** Broadcast to this group only; the whole hub (`sendToAll`) when absent. */
  group?: string;
}

export interface GenerateTokenThenBroadcastOutput {
  token: string;
  broadcastStatus: number;
  steps: readonly StepOutcome[];
}

/** Arazzo `generate-token-then-broadcast`: generateToken (200), then broadcast (202) as text/plain. */
export async function generateTokenThenBroadcast(
  client: WebPubSubOperations,
  input: GenerateTokenThenBroadcastInput,
): Promise<GenerateTokenThenBroadcastOutput> {
  const run = new WorkflowRun(generateTokenThenBroadcastWorkflowId);
  const token = await generateToken(run, client, {
    userId: input.userId,
    minutesToExpire: input.minutesToExpire,
    ...(input.group ? { groups: [input.group] } : {}),
  });
  const { group } = input;
  const broadcast = await run.step('broadcast', 202, (options) =>
    group
      ? client.group(group).sendToAll(input.message, { ...options, contentType: 'text/plain' })
      : client.sendToAll(input.message, { ...options, contentType: 'text/plain' }),
  );
  return { token, broadcastStatus: broadcast.status, steps: run.steps };
}
