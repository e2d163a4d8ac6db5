import type { WebPubSubGroup, WebPubSubServiceClient } from '@azure/web-pubsub';

/** What the app does to one group: a slice of the SDK's group client. */
export type WebPubSubGroupOperations = Pick<
  WebPubSubGroup,
  'addConnection' | 'removeConnection' | 'removeUser' | 'sendToAll'
>;

/**
 * The Web PubSub operations the app uses: a slice of the official SDK client, which satisfies it as it is. The
 * in-memory version (`memory-web-pubsub.ts`) lets handlers, endpoints and workflows run in-process in tests.
 */
export type WebPubSubOperations = Pick<
  WebPubSubServiceClient,
  | 'getClientAccessToken'
  | 'revokePermission'
  | 'closeConnection'
  | 'closeUserConnections'
  | 'connectionExists'
  | 'sendToAll'
  | 'sendToUser'
  | 'sendToConnection'
> & { group(groupName: string): WebPubSubGroupOperations };
