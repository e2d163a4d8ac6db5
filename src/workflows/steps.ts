import type { WebPubSubOperations } from '../ports/web-pubsub.js';
import type { WorkflowRun } from './workflow-run.js';

export interface GenerateTokenInput {
  userId: string;
  minutesToExpire: number;
  /** Groups the connection joins on connect, so a reconnect rejoins them. */
  groups?: string[];
  roles?: string[];
}

/** The `generateToken` step that every workflow shares: `webPubSub_generateClientToken`, expecting 200. */
export async function generateToken(
  run: WorkflowRun,
  client: WebPubSubOperations,
  input: GenerateTokenInput,
): Promise<string> {
  const { value } = await run.step('generateToken', 200, (options) =>
    client.getClientAccessToken({
      ...options,
      userId: input.userId,
      expirationTimeInMinutes: input.minutesToExpire,
      ...(input.groups?.length ? { groups: input.groups } : {}),
      ...(input.roles?.length ? { roles: input.roles } : {}),
    }),
  );
  return value.token;
}

/** The URL a browser connects to: the service endpoint (or a public client endpoint in front of it) with the token. */
export function clientAccessUrl(endpoint: string, hub: string, token: string): string {
  const base = endpoint.replace(/^http(s?):\/\//i, 'ws$1://').replace(/\/+$/, '');
  return `${base}/client/hubs/${encodeURIComponent(hub)}?access_token=${encodeURIComponent(token)}`;
}
