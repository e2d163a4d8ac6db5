import {
  type OnGroupDataMessageArgs,
  SendMessageError,
  WebPubSubClient,
  WebPubSubJsonProtocol,
} from '@azure/web-pubsub-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/server.js';
import { connectClient, eventually, handshake, RecordingSocket, restToken, serviceClient } from './helpers.js';

const json = 'json.webpubsub.azure.v1';
const reliable = 'json.reliable.webpubsub.azure.v1';
let emulator: RunningEmulator;
let wsUrl: string;

beforeAll(async () => {
  emulator = await startEmulator({ hubs: { Open: { anonymousConnect: true } } });
  wsUrl = emulator.httpUrl.replace('http', 'ws');
});
afterAll(() => emulator.close());

/** An SDK client whose failed acks and reconnects are not retried slowly, to keep tests fast. */
function sdkClient(hub: string, roles: string[], options: { userId?: string; reliable?: boolean } = {}) {
  const service = serviceClient(emulator, hub);
  return new WebPubSubClient(
    {
      getClientAccessUrl: async () =>
        (await service.getClientAccessToken({ roles, ...(options.userId ? { userId: options.userId } : {}) })).url,
    },
    {
      ...(options.reliable ? {} : { protocol: WebPubSubJsonProtocol() }),
      messageRetryOptions: { maxRetries: 0 },
      reconnectRetryOptions: { retryDelayInMs: 50, mode: 'Fixed' },
    },
  );
}

function groupTexts(client: WebPubSubClient): string[] {
  const texts: string[] = [];
  client.on('group-message', (event: OnGroupDataMessageArgs) => texts.push(String(event.message.data)));
  return texts;
}

/** REST sends to users, connections and the hub reach clients as server messages. */
function serverTexts(client: WebPubSubClient): string[] {
  const texts: string[] = [];
  client.on('server-message', (event) => texts.push(String(event.message.data)));
  return texts;
}

describe('official client SDK', () => {
  for (const useReliable of [false, true]) {
    it(`joins, sends to a group and receives server messages (${useReliable ? reliable : json})`, async () => {
      const roles = ['webpubsub.joinLeaveGroup', 'webpubsub.sendToGroup'];
      const alice = sdkClient('sdk', roles, { userId: 'alice', reliable: useReliable });
      const bob = sdkClient('sdk', roles, { userId: 'bob', reliable: useReliable });
      const bobTexts = groupTexts(bob);
      const serverMessages: unknown[] = [];
      bob.on('server-message', (event) => serverMessages.push(event.message.data));
      await Promise.all([alice.start(), bob.start()]);
      await Promise.all([alice.joinGroup('room'), bob.joinGroup('room')]);
      const received = new Promise<OnGroupDataMessageArgs>((resolve) => bob.on('group-message', resolve));
      await alice.sendToGroup('room', 'hi bob', 'text');
      const message = (await received).message;
      expect(message).toMatchObject({ group: 'room', fromUserId: 'alice', dataType: 'text', data: 'hi bob' });
      if (useReliable) expect(message.sequenceId).toBe(1);
      await alice.sendToGroup('room', { n: 1 }, 'json', { noEcho: true });
      await serviceClient(emulator, 'sdk').sendToUser('bob', { from: 'server' });
      await eventually(() => serverMessages.length === 1 && bobTexts.length === 2);
      expect(serverMessages).toEqual([{ from: 'server' }]);
      alice.stop();
      bob.stop();
    });
  }

  // The client SDK's own integration test "receives binary group message sent by service" (Azure/azure-sdk-for-js
  // sdk/web-pubsub/web-pubsub-client/test/integration/client.integration.spec.ts) expects a REST group send to
  // raise `group-message` naming the group; nothing names a sender, since no user sent it.
  for (const useReliable of [false, true]) {
    it(`receives a REST group send as a group message naming the group (${useReliable ? reliable : json})`, async () => {
      const receiver = sdkClient('restGroup', ['webpubsub.joinLeaveGroup'], { reliable: useReliable });
      const serverMessages = serverTexts(receiver);
      const received = new Promise<OnGroupDataMessageArgs>((resolve) => receiver.on('group-message', resolve));
      await receiver.start();
      await receiver.joinGroup('lobby');
      await serviceClient(emulator, 'restGroup')
        .group('lobby')
        .sendToAll(new Uint8Array([1, 2, 3, 4]).buffer);
      const message = (await received).message;
      expect(message).toMatchObject({ kind: 'groupData', group: 'lobby', dataType: 'binary' });
      expect(new Uint8Array(message.data as ArrayBuffer)).toEqual(new Uint8Array([1, 2, 3, 4]));
      expect(message.fromUserId).toBeUndefined();
      if (useReliable) expect(message.sequenceId).toBe(1);
      expect(serverMessages).toEqual([]);
      receiver.stop();
    });
  }

  it('gives a simple WebSocket client the payload of a REST group send alone', async () => {
    const { client } = await connectClient(emulator, 'restGroup', { groups: ['lobby'] });
    await serviceClient(emulator, 'restGroup').group('lobby').sendToAll('just the text', { contentType: 'text/plain' });
    expect(await client.waitFor(() => client.frames[0])).toEqual({ data: 'just the text', isBinary: false });
    client.close();
  });

  it('answers Forbidden without the role, and after a revoke', async () => {
    const client = sdkClient('perms', ['webpubsub.sendToGroup']);
    let connectionId = '';
    client.on('connected', (event) => {
      connectionId = event.connectionId;
    });
    await client.start();
    const join = await client.joinGroup('room').catch((error: unknown) => error);
    expect(join).toBeInstanceOf(SendMessageError);
    expect((join as SendMessageError).errorDetail?.name).toBe('Forbidden');
    await client.sendToGroup('room', 'allowed', 'text');
    await serviceClient(emulator, 'perms').revokePermission(connectionId, 'sendToGroup');
    const send = await client.sendToGroup('room', 'revoked', 'text').catch((error: unknown) => error);
    expect((send as SendMessageError).errorDetail?.name).toBe('Forbidden');
    await serviceClient(emulator, 'perms').grantPermission(connectionId, 'sendToGroup', { targetName: 'room' });
    await client.sendToGroup('room', 'granted again', 'text');
    client.stop();
  });

  it('recovers a reliable session after the socket drops, without loss or duplicates', async () => {
    const client = sdkClient('recovery', ['webpubsub.joinLeaveGroup'], { reliable: true });
    const texts = groupTexts(client);
    const connectionIds: string[] = [];
    client.on('connected', (event) => connectionIds.push(event.connectionId));
    await client.start();
    await client.joinGroup('feed');
    const group = serviceClient(emulator, 'recovery').group('feed');
    const send = async (from: number, to: number) => {
      for (let n = from; n <= to; n++) await group.sendToAll(`m${n}`, { contentType: 'text/plain' });
    };
    await send(1, 5);
    await eventually(() => texts.length === 5);
    expect(emulator.dropConnection('recovery', connectionIds[0] as string)).toBe(true);
    await send(6, 10);
    // The same session on a new socket: recovered once, not replaced by a new connection.
    await eventually(() => emulator.connectionStatus('recovery', connectionIds[0] as string)?.recoveries === 1);
    expect(emulator.connectionStatus('recovery', connectionIds[0] as string)).toEqual({
      socketOpen: true,
      recoveries: 1,
    });
    await send(11, 15);
    await eventually(() => texts.length >= 15);
    expect(texts).toEqual(Array.from({ length: 15 }, (_, index) => `m${index + 1}`));
    expect(connectionIds).toHaveLength(1);
    client.stop();
  });

  it('reconnects and rejoins its groups after a server-side close', async () => {
    const client = sdkClient('rejoin', ['webpubsub.joinLeaveGroup']);
    const texts = groupTexts(client);
    const connected: string[] = [];
    const disconnectMessages: (string | undefined)[] = [];
    client.on('connected', (event) => connected.push(event.connectionId));
    client.on('disconnected', (event) => disconnectMessages.push(event.message?.message));
    await client.start();
    await client.joinGroup('lobby');
    await serviceClient(emulator, 'rejoin').closeConnection(connected[0] as string, { reason: 'kicked' });
    await eventually(() => connected.length === 2);
    expect(disconnectMessages).toEqual(['kicked']);
    await eventually(async () => serviceClient(emulator, 'rejoin').groupExists('lobby'));
    await serviceClient(emulator, 'rejoin').group('lobby').sendToAll('welcome back', { contentType: 'text/plain' });
    await eventually(() => texts.includes('welcome back'));
    client.stop();
  });
});

describe('raw protocol', () => {
  const rawUpgrade = async (url: string, headers?: Record<string, string>) => (await handshake(url, headers)).status;

  it('rejects bad handshakes with HTTP status and keeps serving', async () => {
    const service = serviceClient(emulator, 'gate');
    const { token } = await service.getClientAccessToken();
    const wrongAudience = (await serviceClient(emulator, 'other').getClientAccessToken()).token;
    const expired = (await service.getClientAccessToken({ expirationTimeInMinutes: -10 })).token;
    const base = `${wsUrl}/client/hubs/gate`;
    expect(await rawUpgrade(base)).toBe(401);
    expect(await rawUpgrade(`${base}?access_token=garbage`)).toBe(401);
    expect(await rawUpgrade(`${base}?access_token=${wrongAudience}`)).toBe(401);
    expect(await rawUpgrade(`${base}?access_token=${expired}`)).toBe(401);
    const foreign = await restToken('not-the-key', `${emulator.httpUrl}/client/hubs/gate`);
    expect(await rawUpgrade(`${base}?access_token=${foreign}`)).toBe(401);
    expect(await rawUpgrade(`${wsUrl}/client/hubs/9bad?access_token=${token}`)).toBe(400);
    expect(await rawUpgrade(`${wsUrl}/client/hubs/GATE`, { authorization: `Bearer ${token}` })).toBe(101);
    expect(await rawUpgrade(`${wsUrl}/client/hubs/open`)).toBe(101);
  });

  it('echoes the chosen subprotocol and sends connected first', async () => {
    const { client } = await connectClient(emulator, 'proto', { protocol: reliable, userId: 'u' });
    expect(client.socket.protocol).toBe(reliable);
    expect(client.json()[0]).toMatchObject({ type: 'system', event: 'connected', userId: 'u' });
    expect(typeof client.json()[0]?.reconnectionToken).toBe('string');
    const plain = await RecordingSocket.open(`${wsUrl}/client/hubs/open`, ['custom.v1']);
    expect(plain.socket.protocol).toBe('custom.v1');
    client.close();
    plain.close();
  });

  it('answers ping, acks, duplicates and sequence acks', async () => {
    const { client } = await connectClient(emulator, 'frames', {
      protocol: reliable,
      roles: ['webpubsub.joinLeaveGroup'],
    });
    client.send({ type: 'ping' });
    await client.waitForJson((frame) => frame.type === 'pong');
    client.send({ type: 'joinGroup', group: 'g', ackId: 7 });
    client.send({ type: 'joinGroup', group: 'g', ackId: 7 });
    const acks = await client.waitFor(() => {
      const found = client.json().filter((frame) => frame.type === 'ack');
      return found.length === 2 ? found : undefined;
    });
    expect(acks[0]).toEqual({ type: 'ack', ackId: 7, success: true });
    expect(acks[1]).toMatchObject({ ackId: 7, success: false, error: { name: 'Duplicate' } });
    await serviceClient(emulator, 'frames').group('g').sendToAll({ n: 1 });
    const message = await client.waitForJson((frame) => frame.type === 'message');
    expect(message).toEqual({
      sequenceId: 1,
      type: 'message',
      from: 'group',
      group: 'g',
      dataType: 'json',
      data: { n: 1 },
    });
    client.send({ type: 'sequenceAck', sequenceId: 1 });
    // The ack is taken as it should be: the session goes on, the next message numbered after it.
    await serviceClient(emulator, 'frames').group('g').sendToAll({ n: 2 });
    const next = await client.waitForJson((frame) => frame.type === 'message' && frame.sequenceId === 2);
    expect(next).toMatchObject({ sequenceId: 2, data: { n: 2 } });
    client.close();
  });

  it('closes on non-JSON (1007), binary (1003) and oversized (1009) frames', async () => {
    const closes: number[] = [];
    for (const frame of ['not json', Buffer.from([1, 2]), 'x'.repeat(1024 * 1024 + 1)]) {
      const { client } = await connectClient(emulator, 'violations', { protocol: json });
      client.socket.send(frame, { binary: Buffer.isBuffer(frame) });
      closes.push((await client.waitForClose()).code);
    }
    expect(closes).toEqual([1007, 1003, 1009]);
    const { client } = await connectClient(emulator, 'violations', { protocol: json });
    client.send({ type: 'ping' });
    await client.waitForJson((frame) => frame.type === 'pong');
    client.close();
  });

  it('fails recovery with 1008 for an unknown session', async () => {
    const client = await RecordingSocket.open(
      `${wsUrl}/client/hubs/open?awps_connection_id=nope&awps_reconnection_token=nope`,
      reliable,
    );
    expect((await client.waitForClose()).code).toBe(1008);
  });
});
