import type { FullOperationResponse } from '@azure/core-client';
import { RestError } from '@azure/core-rest-pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/server.js';
import { connectClient, serviceClient } from './helpers.js';

// The expectations are the service's answers as the official SDKs' tests recorded them, in Azure/azure-sdk-assets:
// js/sdk/web-pubsub/web-pubsub/recordings/node/… and python/sdk/webpubsub/azure-messaging-webpubsubservice/tests/
// recordings/… (file names beside each test).
let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator.close());

async function restError(call: Promise<unknown>): Promise<RestError> {
  const error = await call.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  if (!(error instanceof RestError)) throw new Error(`expected a RestError, got ${String(error)}`);
  return error;
}

/** The raw response of one SDK call: the SDK hides headers of calls it turns into booleans. */
function lastResponse() {
  const seen: { response?: FullOperationResponse } = {};
  return { onResponse: (response: FullOperationResponse) => Object.assign(seen, { response }), seen };
}

describe('an invalid OData filter (group_client_working_with_a_group/recording_can_broadcast_to_group_with_filter.json)', () => {
  const hub = () => serviceClient(emulator, 'errors');
  const message =
    /^Invalid syntax for 'invalid filter': Syntax error at position \d+ in 'invalid filter'\. \(Parameter 'filter'\)$/;
  const calls: [string, () => Promise<unknown>][] = [
    ['sendToAll', () => hub().sendToAll('hello', { contentType: 'text/plain', filter: 'invalid filter' })],
    [
      'group sendToAll',
      () => hub().group('g').sendToAll('hello', { contentType: 'text/plain', filter: 'invalid filter' }),
    ],
    ['sendToUser', () => hub().sendToUser('brian', 'hello', { contentType: 'text/plain', filter: 'invalid filter' })],
    ['addConnectionsToGroups', () => hub().addConnectionsToGroups(['g1', 'g2'], 'invalid filter')],
    ['removeConnectionsFromGroups', () => hub().removeConnectionsFromGroups(['g1', 'g2'], 'invalid filter')],
  ];

  it.each(calls)(
    '%s: 400 Error.BadRequest as application/problem+json, so RestError.message is the body',
    async (_, call) => {
      const error = await restError(call());
      expect(error.statusCode).toBe(400);
      expect(error.response?.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
      expect(error.response?.headers.get('x-ms-error-code')).toBe('Error.BadRequest');
      // core-client does not parse problem+json, so callers see the raw body, as the SDK's own test reads it.
      const body = JSON.parse(error.message) as Record<string, unknown>;
      expect(body).toMatchObject({
        code: 'Error.BadRequest',
        target: 'filter',
        type: null,
        title: 'One or more validation errors occurred.',
        status: 400,
        detail: null,
        instance: null,
        extensions: {},
      });
      expect(body.message).toMatch(message);
      expect(body.errors).toEqual({ filter: [body.message] });
    },
  );
});

describe('unknown connections, users and groups', () => {
  const hub = () => serviceClient(emulator, 'errors');

  it('adding a missing connection to a group: Error.Connection.NotExisted (…test_add_connection_to_group_not_found.json)', async () => {
    const error = await restError(hub().group('group1').addConnection('fake-connection-id'));
    expect(error.statusCode).toBe(404);
    expect(error.response?.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(error.response?.headers.get('x-ms-error-code')).toBe('Error.Connection.NotExisted');
    expect(JSON.parse(error.response?.bodyAsText ?? '')).toEqual({
      code: 'Error.Connection.NotExisted',
      message: 'Connection `fake-connection-id` is not found.',
      target: 'Connection',
      details: null,
      inner: null,
    });
  });

  it('granting to a missing connection: Info.Connection.NotExisted (…test_grant_permission_not_found.json)', async () => {
    const error = await restError(hub().grantPermission('fake-connection-id', 'sendToGroup', { targetName: 'group1' }));
    expect(error.statusCode).toBe(404);
    expect(error.code).toBe('Info.Connection.NotExisted');
    expect(error.message).toBe('Connection `fake-connection-id` is not found.');
    expect(error.response?.headers.get('api-supported-versions')).toContain('2024-12-01');
  });

  it('adding a user without connections to a group: Warning.User.NotExisted (…test_add_user_to_group_not_found.json)', async () => {
    const { onResponse, seen } = lastResponse();
    await hub()
      .group('group1')
      .addUser('fake-user', { onResponse })
      .catch(() => undefined);
    expect(seen.response?.status).toBe(404);
    expect(JSON.parse(seen.response?.bodyAsText ?? '')).toEqual({
      code: 'Warning.User.NotExisted',
      message: 'User `fake-user` is not found.',
      target: 'User',
      details: null,
      inner: null,
    });
  });

  it('existence checks answer 404 with the recorded codes (…test_live_api_coverage_all_apis_and_parameters.json)', async () => {
    const checks: [string, (onResponse: (response: FullOperationResponse) => void) => Promise<boolean>][] = [
      ['Warning.Connection.NotExisted', (onResponse) => hub().connectionExists('gone', { onResponse })],
      ['Warning.User.NotExisted', (onResponse) => hub().userExists('live-user-not-exist', { onResponse })],
      ['Warning.Group.NotExisted', (onResponse) => hub().groupExists('live-group-not-exist', { onResponse })],
      // …test_has_permission.json
      [
        'Info.Connection.NotExisted',
        (onResponse) => hub().hasPermission('fake-connection-id', 'sendToGroup', { targetName: 'group1', onResponse }),
      ],
    ];
    for (const [code, check] of checks) {
      const { onResponse, seen } = lastResponse();
      expect(await check(onResponse), code).toBe(false);
      expect(seen.response?.status, code).toBe(404);
      expect(seen.response?.headers.get('x-ms-error-code'), code).toBe(code);
    }
  });

  it('still answers 404 without a code for a connection that lacks the permission (not recorded)', async () => {
    const { connectionId } = await connectClient(emulator, 'errors', { protocol: 'json.webpubsub.azure.v1' });
    const { onResponse, seen } = lastResponse();
    expect(await hub().hasPermission(connectionId as string, 'sendToGroup', { targetName: 'g', onResponse })).toBe(
      false,
    );
    expect(seen.response?.status).toBe(404);
    expect(seen.response?.headers.get('x-ms-error-code')).toBeUndefined();
  });
});
