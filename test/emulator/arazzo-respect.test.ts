import type { WebPubSubServiceClient } from '@azure/web-pubsub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../emulator/server.js';
import type { RunningIdentityEndpoint } from '../../local/identity/server.js';
import { connectClient, type EntraEmulator, RecordingSocket, serviceClient, startEntraEmulator } from './helpers.js';
import { executedStep, passingOutcomes, type RespectRun, runRespect, stepOutcomes } from './support/respect.js';

// The seed Arazzo documents run by Redocly's off-the-shelf runner (`redocly respect`) against the emulator over
// https, with one Entra token as the `accessToken` input of every step, as a managed identity would hold.
let emulator: RunningEmulator;
let identity: RunningIdentityEndpoint;
let service: WebPubSubServiceClient;
let accessToken: string;
const hub = 'respect';
const owner = { clientId: 'respect-runner', principalId: '5f0e7c2a-0000-4000-8000-00000000a7a2' };
const pubSubProtocol = 'json.webpubsub.azure.v1';

let stack: EntraEmulator;

beforeAll(async () => {
  stack = await startEntraEmulator({ [owner.clientId]: owner }, { quiet: true });
  ({ emulator, identity } = stack);
  service = serviceClient(emulator, hub);
  accessToken = await identity.issueToken({ resource: 'https://webpubsub.azure.com', clientId: owner.clientId });
});

afterAll(async () => {
  await stack?.close();
});

function respect(file: string, inputs: Record<string, string | number>, revealSecrets = false): Promise<RespectRun> {
  return runRespect({
    files: [file],
    inputs: { accessToken, hub, ...inputs },
    servers: { webPubSubApi: emulator.httpsUrl as string },
    revealSecrets,
  });
}

async function expectEveryStepPassed(run: RespectRun, file: string): Promise<void> {
  expect(run.exitCode, run.output).toBe(0);
  expect(stepOutcomes(run.report)).toEqual(await passingOutcomes(file));
}

async function groupMembers(group: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const member of await service.group(group).listConnections()) ids.push(member.connectionId);
  return ids;
}

describe('redocly respect runs the seed Arazzo workflows against the emulator', () => {
  it('generate-token-then-broadcast: the minted token connects as its user; the broadcast reaches the hub', async () => {
    const file = 'specs/generate-token-then-broadcast.arazzo.yaml';
    const listener = await connectClient(emulator, hub, { userId: 'bob', protocol: pubSubProtocol });

    const run = await respect(file, { userId: 'mod', minutesToExpire: 5, message: 'hello all' }, true);

    await expectEveryStepPassed(run, file);
    expect(
      await listener.client.waitForJson((frame) => frame.type === 'message' && frame.data === 'hello all'),
    ).toMatchObject({ from: 'server', dataType: 'text' });
    const { token } = executedStep(run.report, 'generateToken').response.body as { token: string };
    const minted = await RecordingSocket.open(
      `${(emulator.httpsUrl as string).replace('https', 'wss')}/client/hubs/${hub}?access_token=${token}`,
      pubSubProtocol,
    );
    expect(await minted.waitForJson((frame) => frame.event === 'connected')).toMatchObject({ userId: 'mod' });
    expect(await service.userExists('mod')).toBe(true);
    minted.close();
    listener.client.close();
  });

  it('provision-client-and-join-group: the live connection joins the group and hears the announcement', async () => {
    const file = 'specs/provision-client-and-join-group.arazzo.yaml';
    const { client, connectionId } = await connectClient(emulator, hub, { userId: 'alice', protocol: pubSubProtocol });

    const run = await respect(file, {
      group: 'lobby',
      connectionId: connectionId as string,
      userId: 'alice',
      announcement: 'alice joined lobby',
    });

    await expectEveryStepPassed(run, file);
    expect(await groupMembers('lobby')).toContain(connectionId);
    expect(
      await client.waitForJson((frame) => frame.type === 'message' && frame.data === 'alice joined lobby'),
    ).toMatchObject({ dataType: 'text' });
    client.close();
  });

  it('revoke-permission-and-evict: a connection holding the permission is closed with the reason', async () => {
    const file = 'specs/revoke-permission-and-evict.arazzo.yaml';
    const { client, connectionId } = await connectClient(emulator, hub, {
      userId: 'mallory',
      protocol: pubSubProtocol,
    });
    const id = connectionId as string;
    // Granted first so the revoke step removes a permission that exists.
    await service.grantPermission(id, 'sendToGroup');
    expect(await service.hasPermission(id, 'sendToGroup')).toBe(true);

    const run = await respect(file, { connectionId: id, permission: 'sendToGroup', reason: 'spam' });

    await expectEveryStepPassed(run, file);
    expect(new URL(executedStep(run.report, 'evictConnection').request.url).searchParams.get('reason')).toBe('spam');
    expect(await client.waitForJson((frame) => frame.event === 'disconnected')).toMatchObject({ message: 'spam' });
    await client.waitForClose();
    expect(await service.connectionExists(id)).toBe(false);
  });

  it('fails the run and names the step when a step misses its success criteria', async () => {
    const run = await respect('specs/provision-client-and-join-group.arazzo.yaml', {
      group: 'lobby',
      connectionId: 'no-such-connection',
      announcement: 'nobody joined',
    });

    expect(run.exitCode, run.output).toBe(1);
    expect(run.report.status).toBe('error');
    const addConnection = stepOutcomes(run.report).find((outcome) => outcome.stepId === 'addConnection');
    expect(addConnection?.status).toBe('error');
    expect(addConnection?.failedChecks).toContainEqual(expect.stringMatching(/^success criteria check: /));
    expect(executedStep(run.report, 'addConnection').response.statusCode).toBe(404);
  });
});
