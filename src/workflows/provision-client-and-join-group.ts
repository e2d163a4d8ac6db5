import type { WebPubSubOperations } from '../ports/web-pubsub.js';
import { generateToken } from './steps.js';
import type { StepOutcome } from './workflow-run.js';
import { WorkflowRun } from './workflow-run.js';

export const provisionClientAndJoinGroupWorkflowId = 'provision-client-and-join-group';

export interface ProvisionClientAndJoinGroupInput {
  group: string;
  connectionId: string;
  userId: string;
  minutesToExpire: number;
  announcement: string;
}

export interface ProvisionClientAndJoinGroupOutput {
  token: string;
  addStatus: number;
  sendStatus: number;
  steps: readonly StepOutcome[];
}

/**
 * Arazzo `provision-client-and-join-group`: generateToken (200) carrying the group so a reconnect rejoins it,
 * addConnection (200), then announceJoin (202) as text/plain to the group.
 */
export async function provisionClientAndJoinGroup(
  client: WebPubSubOperations,
  input: ProvisionClientAndJoinGroupInput,
): Promise<ProvisionClientAndJoinGroupOutput> {
  const run = new WorkflowRun(provisionClientAndJoinGroupWorkflowId);
  const token = await generateToken(run, client, {
    userId: input.userId,
    minutesToExpire: input.minutesToExpire,
    groups: [input.group],
  });
  const group = client.group(input.group);
  const add = await run.step('addConnection', 200, (options) => group.addConnection(input.connectionId, options));
  const send = await run.step('announceJoin', 202, (options) =>
    group.sendToAll(input.announcement, { ...options, contentType: 'text/plain' }),
  );
  return { token, addStatus: add.status, sendStatus: send.status, steps: run.steps };
}
