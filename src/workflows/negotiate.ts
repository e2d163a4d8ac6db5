import type { WebPubSubOperations } from '../ports/web-pubsub.js';
import { type GenerateTokenInput, generateToken } from './steps.js';
import { WorkflowRun } from './workflow-run.js';

export const negotiateWorkflowId = 'negotiate';

/** Negotiate runs the shared `generateToken` step alone. */
export async function negotiate(client: WebPubSubOperations, input: GenerateTokenInput): Promise<{ token: string }> {
  const run = new WorkflowRun(negotiateWorkflowId);
  return { token: await generateToken(run, client, input) };
}
