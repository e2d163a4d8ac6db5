import type { AccessKeyRing } from '../auth/access-key.js';
import type { ConnectionManager } from '../connections.js';
import { closeCodes, wireErrors } from '../errors.js';
import { isValidGroupName } from '../hub-settings.js';
import { type MessageSource, OutboundMessage } from '../protocol/outbound-message.js';
import type { Connection } from '../store/connection.js';
import type { Hub } from '../store/hub.js';
import { type PermissionName, permissionNames } from '../store/permissions.js';
import { type FilterExpression, matchesFilter, ODataFilterError, parseODataFilter } from './odata-filter.js';
import { integerQuery, readJsonBody, readMessageBody } from './request.js';
import { type RestCall, type RestResult, type Route, route } from './routes.js';

export interface RestOperationsOptions {
  connections: ConnectionManager;
  keyRing: AccessKeyRing;
}

const accepted: RestResult = { status: 202 };
const ok: RestResult = { status: 200 };
const noContent: RestResult = { status: 204 };
const notFound: RestResult = { status: 404 };
const defaultPageSize = 100;

/** Every data-plane operation, with the SDK's spellings and the seed OpenAPI's. */
export function restRoutes({ connections, keyRing }: RestOperationsOptions): Route[] {
  const send = async (
    call: RestCall,
    targets: Iterable<Connection>,
    recipients: RecipientOptions,
    source: MessageSource = serverSource,
  ) => {
    integerQuery(call.url, 'messageTtlSeconds', 0, 300);
    const include = recipientFilter(call.url, recipients);
    const { dataType, payload } = await readMessageBody(call.request);
    call.hub.deliver(targets, new OutboundMessage(source, dataType, payload), include);
    return accepted;
  };

  const close = (call: RestCall, targets: Iterable<Connection>) => {
    const excluded = new Set(call.url.searchParams.getAll('excluded'));
    const reason = call.url.searchParams.get('reason') ?? '';
    for (const connection of [...targets]) {
      if (!excluded.has(connection.id)) connections.close(connection, reason, closeCodes.policyViolation);
    }
    return noContent;
  };

  const addUserToGroup = (call: RestCall) => {
    const { userId = '', group = '' } = call.params;
    const members = [...call.hub.userConnections(userId)];
    if (members.length === 0) throw wireErrors.userNotFound(userId);
    for (const connection of members) call.hub.joinGroup(connection, validGroup(group));
    return ok;
  };

  const removeUserFromGroup = (call: RestCall) => {
    const { userId = '', group = '' } = call.params;
    for (const connection of call.hub.userConnections(userId)) call.hub.leaveGroup(connection, group);
    return noContent;
  };

  const changeGroups = async (call: RestCall, change: (hub: Hub, connection: Connection, group: string) => void) => {
    const body = (await readJsonBody(call.request)) as { groups?: unknown; filter?: unknown } | null;
    const groups = body?.groups;
    if (!Array.isArray(groups) || !groups.every(isValidGroupName)) {
      throw wireErrors.badRequest("'groups' must be an array of group names.", 'groups');
    }
    if (body?.filter !== undefined && body.filter !== null && typeof body.filter !== 'string') {
      throw wireErrors.badRequest("'filter' must be a string.", 'filter');
    }
    const filter = typeof body?.filter === 'string' && body.filter.trim() ? parseFilter(body.filter) : undefined;
    for (const connection of [...call.hub.connections.values()]) {
      if (filter && !matchesFilter(filter, connection)) continue;
      for (const group of groups) change(call.hub, connection, group);
    }
    return ok;
  };

  const permission = (call: RestCall) => {
    const name = call.params.permission as PermissionName;
    if (!permissionNames.includes(name)) throw wireErrors.badRequest(`Unknown permission '${name}'.`, 'permission');
    const target = call.url.searchParams.get('targetName') ?? undefined;
    return { name, target, connection: call.hub.connections.get(call.params.connectionId ?? '') };
  };

  return [
    route('HEAD', '/api/health', () => ok, true),
    route('POST', '/api/hubs/{hub}/:send', (call) =>
      send(call, call.hub.connections.values(), { excluded: true, filter: true }),
    ),
    route('POST', '/api/hubs/{hub}/users/{userId}/:send', (call) =>
      send(call, call.hub.userConnections(call.params.userId ?? ''), { filter: true }),
    ),
    route('POST', '/api/hubs/{hub}/connections/{connectionId}/:send', (call) =>
      send(call, optional(call.hub.connections.get(call.params.connectionId ?? '')), {}),
    ),
    // The service delivers a REST group send as a group message naming the group, without fromUserId: the client
    // SDK's "receives binary group message sent by service" test (Azure/azure-sdk-for-js
    // sdk/web-pubsub/web-pubsub-client/test/integration/client.integration.spec.ts) listens for `group-message`.
    route('POST', '/api/hubs/{hub}/groups/{group}/:send', (call) => {
      const group = call.params.group ?? '';
      return send(call, call.hub.groupMembers(group), { excluded: true, filter: true }, { from: 'group', group });
    }),
    route('HEAD', '/api/hubs/{hub}/connections/{connectionId}', (call) => {
      const connectionId = call.params.connectionId ?? '';
      if (!call.hub.connections.has(connectionId)) throw wireErrors.connectionNotExisting(connectionId);
      return ok;
    }),
    route('DELETE', '/api/hubs/{hub}/connections/{connectionId}', (call) =>
      close(call, optional(call.hub.connections.get(call.params.connectionId ?? ''))),
    ),
    route('POST', '/api/hubs/{hub}/:closeConnections', (call) => close(call, call.hub.connections.values())),
    ...['/:closeConnections', '/:close'].flatMap((action) => [
      route('POST', `/api/hubs/{hub}/groups/{group}${action}`, (call) =>
        close(call, call.hub.groupMembers(call.params.group ?? '')),
      ),
      route('POST', `/api/hubs/{hub}/users/{userId}${action}`, (call) =>
        close(call, call.hub.userConnections(call.params.userId ?? '')),
      ),
    ]),
    route('HEAD', '/api/hubs/{hub}/groups/{group}', (call) => {
      const group = call.params.group ?? '';
      if (call.hub.groupMembers(group).size === 0) throw wireErrors.groupNotFound(group);
      return ok;
    }),
    route('GET', '/api/hubs/{hub}/groups/{group}/connections', listGroupConnections),
    route('PUT', '/api/hubs/{hub}/groups/{group}/connections/{connectionId}', (call) => {
      const connectionId = call.params.connectionId ?? '';
      const connection = call.hub.connections.get(connectionId);
      if (!connection) throw wireErrors.connectionNotFound(connectionId);
      call.hub.joinGroup(connection, validGroup(call.params.group));
      return ok;
    }),
    route('DELETE', '/api/hubs/{hub}/groups/{group}/connections/{connectionId}', (call) => {
      const connection = call.hub.connections.get(call.params.connectionId ?? '');
      if (connection) call.hub.leaveGroup(connection, call.params.group ?? '');
      return noContent;
    }),
    route('DELETE', '/api/hubs/{hub}/connections/{connectionId}/groups', (call) => {
      const connection = call.hub.connections.get(call.params.connectionId ?? '');
      if (connection) call.hub.leaveAllGroups(connection);
      return noContent;
    }),
    route('HEAD', '/api/hubs/{hub}/users/{userId}', (call) => {
      const userId = call.params.userId ?? '';
      if (call.hub.userConnections(userId).size === 0) throw wireErrors.userNotFound(userId);
      return ok;
    }),
    route('PUT', '/api/hubs/{hub}/users/{userId}/groups/{group}', addUserToGroup),
    route('DELETE', '/api/hubs/{hub}/users/{userId}/groups/{group}', removeUserFromGroup),
    route('PUT', '/api/hubs/{hub}/groups/{group}/users/{userId}', addUserToGroup),
    route('DELETE', '/api/hubs/{hub}/groups/{group}/users/{userId}', removeUserFromGroup),
    route('DELETE', '/api/hubs/{hub}/users/{userId}/groups', (call) => {
      for (const connection of call.hub.userConnections(call.params.userId ?? '')) call.hub.leaveAllGroups(connection);
      return noContent;
    }),
    route('PUT', '/api/hubs/{hub}/permissions/{permission}/connections/{connectionId}', (call) => {
      const { name, target, connection } = permission(call);
      if (!connection) throw wireErrors.permissionConnectionNotFound(call.params.connectionId ?? '');
      connection.permissions.grant(name, target);
      return ok;
    }),
    route('DELETE', '/api/hubs/{hub}/permissions/{permission}/connections/{connectionId}', (call) => {
      const { name, target, connection } = permission(call);
      connection?.permissions.revoke(name, target);
      return noContent;
    }),
    route('HEAD', '/api/hubs/{hub}/permissions/{permission}/connections/{connectionId}', (call) => {
      const { name, target, connection } = permission(call);
      if (!connection) throw wireErrors.permissionConnectionNotFound(call.params.connectionId ?? '');
      // What the service answers for an existing connection without the permission is not recorded: a bare 404.
      return connection.permissions.check(name, target) ? ok : notFound;
    }),
    route('POST', '/api/hubs/{hub}/:generateToken', async (call) => {
      const query = call.url.searchParams;
      const clientType = query.get('clientType') ?? 'Default';
      const clientPath = clientPaths.get(clientType.toLowerCase());
      if (clientPath === undefined) throw wireErrors.invalidValue(clientType, 'clientType');
      const token = await keyRing.signClientToken({
        audience: `${call.origin}/${clientPath}/${call.params.hub}`,
        userId: query.get('userId') ?? undefined,
        roles: query.getAll('role'),
        groups: query.getAll('group'),
        minutesToExpire: integerQuery(call.url, 'minutesToExpire', 1) ?? 60,
      });
      return { status: 200, body: { token } };
    }),
    route('POST', '/api/hubs/{hub}/:addToGroups', (call) =>
      changeGroups(call, (hub, connection, group) => hub.joinGroup(connection, group)),
    ),
    route('POST', '/api/hubs/{hub}/:removeFromGroups', (call) =>
      changeGroups(call, (hub, connection, group) => hub.leaveGroup(connection, group)),
    ),
  ];
}

const serverSource: MessageSource = { from: 'server' };

/**
 * Client types, matched without case (Azure/azure-rest-api-specs specification/webpubsub/data-plane/WebPubSub/
 * stable/2024-12-01/webpubsub.json, `clientType`), and the client path each token's audience names: the paths
 * `WebPubSubServiceClient.getClientAccessToken` builds for `clientProtocol` (Azure/azure-sdk-for-js
 * sdk/web-pubsub/web-pubsub/test/public/hubs.spec.ts checks the audience the service issues for each).
 */
const clientPaths: ReadonlyMap<string, string> = new Map([
  ['default', 'client/hubs'],
  ['mqtt', 'clients/mqtt/hubs'],
  ['socketio', 'clients/socketio/hubs'],
]);

interface RecipientOptions {
  excluded?: boolean;
  filter?: boolean;
}

function recipientFilter(url: URL, options: RecipientOptions): ((connection: Connection) => boolean) | undefined {
  const excluded = options.excluded ? new Set(url.searchParams.getAll('excluded')) : new Set<string>();
  const filterText = options.filter ? url.searchParams.get('filter') : null;
  const filter = filterText?.trim() ? parseFilter(filterText) : undefined;
  if (excluded.size === 0 && !filter) return undefined;
  return (connection) => !excluded.has(connection.id) && (!filter || matchesFilter(filter, connection));
}

function parseFilter(text: string): FilterExpression {
  try {
    return parseODataFilter(text);
  } catch (error) {
    if (error instanceof ODataFilterError) throw wireErrors.invalidFilter(text, error.position);
    throw error;
  }
}

function validGroup(group: string | undefined): string {
  if (!isValidGroupName(group)) throw wireErrors.badRequest('Invalid group name.', 'group');
  return group;
}

function optional<T>(item: T | undefined): T[] {
  return item === undefined ? [] : [item];
}

/** 2024-12-01 paging: members ordered by connectionId; the continuation token is the last id served. */
function listGroupConnections(call: RestCall): RestResult {
  const { url, hub } = call;
  const group = call.params.group ?? '';
  const pageSize = integerQuery(url, 'maxpagesize', 1) ?? defaultPageSize;
  const top = integerQuery(url, 'top', 1);
  const continuation = url.searchParams.get('continuationToken');
  const after = continuation === null ? undefined : Buffer.from(continuation, 'base64url').toString('utf8');
  const members = [...hub.groupMembers(group)]
    .filter((connection) => after === undefined || connection.id > after)
    .sort((left, right) => (left.id < right.id ? -1 : 1));
  const page = members.slice(0, Math.min(pageSize, top ?? pageSize));
  // The service lists an anonymous member with `"userId": null` (Azure/azure-sdk-assets js/sdk/web-pubsub/web-pubsub/
  // recordings/node/group_client_listing_connections/…).
  const body: { value: { connectionId: string; userId: string | null }[]; nextLink?: string } = {
    value: page.map((connection) => ({ connectionId: connection.id, userId: connection.userId ?? null })),
  };
  const remainingTop = top === undefined ? undefined : top - page.length;
  const last = page.at(-1);
  if (last && members.length > page.length && (remainingTop === undefined || remainingTop > 0)) {
    const next = new URL(`${call.origin}${url.pathname}`);
    next.searchParams.set('api-version', url.searchParams.get('api-version') ?? '');
    next.searchParams.set('maxpagesize', String(pageSize));
    if (remainingTop !== undefined) next.searchParams.set('top', String(remainingTop));
    next.searchParams.set('continuationToken', Buffer.from(last.id).toString('base64url'));
    body.nextLink = next.toString();
  }
  return { status: 200, body };
}
