import { readFileSync } from 'node:fs';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { WebPubSubServiceClient } from '@azure/web-pubsub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parse } from 'yaml';
import type { RunningEmulator } from '../../emulator/server.js';
import type { RunningIdentityEndpoint } from '../../local/identity/server.js';
import { generateTokenThenBroadcast } from '../../src/workflows/generate-token-then-broadcast.js';
import { provisionClientAndJoinGroup } from '../../src/workflows/provision-client-and-join-group.js';
import { revokePermissionAndEvict } from '../../src/workflows/revoke-permission-and-evict.js';
import { type EntraEmulator, startEntraEmulator } from '../emulator/helpers.js';

interface ArazzoStep {
  stepId: string;
  operationId: string;
  parameters?: { name: string; in: string }[];
  successCriteria: { condition: string }[];
}
interface ArazzoWorkflow {
  workflowId: string;
  steps: ArazzoStep[];
  outputs: Record<string, string>;
}

const specs = new URL('../../specs/', import.meta.url);
const readYaml = (name: string) => parse(readFileSync(new URL(name, specs), 'utf8'));
const openApi = readYaml('webpubsub.openapi.yaml') as {
  paths: Record<string, Record<string, { operationId?: string }>>;
};
const workflow = (file: string) => (readYaml(file) as { workflows: ArazzoWorkflow[] }).workflows[0] as ArazzoWorkflow;

/** Operation id → method and a matcher for its path template, from the OpenAPI document. */
const operations = Object.entries(openApi.paths).flatMap(([template, methods]) =>
  Object.entries(methods)
    .filter(([, operation]) => operation.operationId)
    .map(([method, operation]) => ({
      operationId: operation.operationId as string,
      method: method.toUpperCase(),
      path: new RegExp(`^${template.replace(/[.:]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
    })),
);

interface Exchange {
  method: string;
  url: URL;
  status: number;
}

function operationOf(exchange: Exchange): string | undefined {
  return operations.find((op) => op.method === exchange.method && op.path.test(exchange.url.pathname))?.operationId;
}

/** Checks recorded traffic against the workflow: one request per step, in order, to its operation, with its status. */
function expectConformance(document: ArazzoWorkflow, traffic: Exchange[], outputs: Record<string, unknown>) {
  expect(traffic.map(operationOf)).toEqual(document.steps.map((step) => step.operationId));
  document.steps.forEach((step, index) => {
    const exchange = traffic[index] as Exchange;
    const expected = Number(/\$statusCode == (\d+)/.exec(step.successCriteria[0]?.condition ?? '')?.[1]);
    expect(exchange.status, step.stepId).toBe(expected);
    expect(exchange.url.searchParams.get('api-version'), step.stepId).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
  for (const [name, expression] of Object.entries(document.outputs)) {
    expect(outputs, name).toHaveProperty(name);
    const step = /^\$steps\.(\w+)\.outputs\.\w+$/.exec(expression)?.[1];
    const index = document.steps.findIndex((s) => s.stepId === step);
    if (name.endsWith('Status')) expect(outputs[name], name).toBe(traffic[index]?.status);
  }
}

let emulator: RunningEmulator;
let identity: RunningIdentityEndpoint;
let traffic: Exchange[] = [];
let client: WebPubSubServiceClient;
let keyClient: WebPubSubServiceClient;
const hub = 'conformance';
const owner = { clientId: 'conformance-app', principalId: '9d1c1f3e-0000-4000-8000-00000000c0de' };

let stack: EntraEmulator;

beforeAll(async () => {
  stack = await startEntraEmulator({ [owner.clientId]: owner }, { quiet: true });
  ({ emulator, identity } = stack);
  // The production path: an Entra token over https (so generateToken is a REST call, as with managed identity).
  const credential: TokenCredential = {
    getToken: async (): Promise<AccessToken> => ({
      token: await identity.issueToken({ resource: 'https://webpubsub.azure.com', clientId: owner.clientId }),
      expiresOnTimestamp: Date.now() + 3_600_000,
    }),
  };
  const recorder: PipelinePolicy = {
    name: 'arazzoTrafficRecorder',
    async sendRequest(request, next) {
      const response = await next(request);
      traffic.push({ method: request.method, url: new URL(request.url), status: response.status });
      return response;
    },
  };
  client = new WebPubSubServiceClient(emulator.httpsUrl as string, credential, hub, {
    additionalPolicies: [{ policy: recorder, position: 'perRetry' }],
  });
  keyClient = new WebPubSubServiceClient(emulator.connectionString, hub, { allowInsecureConnection: true });
});

afterAll(async () => {
  await stack?.close();
});

/** A live client connection (the workflows act on one), via a key-signed token over plain ws. */
async function connect(userId: string): Promise<{ connectionId: string; socket: WebSocket }> {
  const { token } = await keyClient.getClientAccessToken({ userId });
  const socket = new WebSocket(
    `${emulator.httpUrl.replace('http', 'ws')}/client/hubs/${hub}?access_token=${token}`,
    'json.webpubsub.azure.v1',
  );
  const connectionId = await new Promise<string>((resolve, reject) => {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data));
      if (message.event === 'connected') resolve(message.connectionId);
    });
    socket.on('error', reject);
  });
  return { connectionId, socket };
}

describe('workflows conform to their Arazzo documents', () => {
  it('generate-token-then-broadcast', async () => {
    traffic = [];
    const outputs = await generateTokenThenBroadcast(client, {
      userId: 'mod',
      minutesToExpire: 5,
      message: 'hello all',
    });
    expectConformance(workflow('generate-token-then-broadcast.arazzo.yaml'), traffic, { ...outputs });
    expect(traffic[0]?.url.searchParams.get('userId')).toBe('mod');
    expect(traffic[0]?.url.searchParams.get('minutesToExpire')).toBe('5');
  });

  it('provision-client-and-join-group', async () => {
    const { connectionId, socket } = await connect('alice');
    traffic = [];
    const outputs = await provisionClientAndJoinGroup(client, {
      group: 'lobby',
      connectionId,
      userId: 'alice',
      minutesToExpire: 60,
      announcement: 'alice joined lobby',
    });
    expectConformance(workflow('provision-client-and-join-group.arazzo.yaml'), traffic, { ...outputs });
    expect(traffic[0]?.url.searchParams.get('group')).toBe('lobby');
    expect(
      await keyClient
        .group('lobby')
        .listConnections()
        .then(async (pages) => {
          const ids: string[] = [];
          for await (const member of pages) ids.push(member.connectionId);
          return ids;
        }),
    ).toContain(connectionId);
    socket.close();
  });

  it('revoke-permission-and-evict', async () => {
    const { connectionId, socket } = await connect('mallory');
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    traffic = [];
    const outputs = await revokePermissionAndEvict(client, {
      connectionId,
      permission: 'sendToGroup',
      targetName: 'lobby',
      reason: 'spam',
    });
    expectConformance(workflow('revoke-permission-and-evict.arazzo.yaml'), traffic, { ...outputs });
    expect(traffic[1]?.url.searchParams.get('reason')).toBe('spam');
    await closed;
    expect(await keyClient.connectionExists(connectionId)).toBe(false);
  });

  it('names the workflow, the step and the status when a step fails, after the SDK retried', async () => {
    const { connectionId, socket } = await connect('trudy');
    emulator.setFaults({ status: 503, retryAfterSeconds: 0, match: /^DELETE \/api\/hubs\/[^/]+\/connections\/[^/]+$/ });
    traffic = [];
    try {
      await expect(
        revokePermissionAndEvict(client, { connectionId, permission: 'sendToGroup', reason: 'x' }),
      ).rejects.toMatchObject({
        workflowId: 'revoke-permission-and-evict',
        stepId: 'evictConnection',
        stepStatus: 503,
        status: 502,
        code: 'UpstreamStepFailed',
        steps: [
          { stepId: 'revokePermission', status: 204, succeeded: true },
          { stepId: 'evictConnection', status: 503, succeeded: false },
        ],
      });
      // The SDK's retry policy tried the failing step again before giving up.
      expect(
        traffic.filter((exchange) => exchange.method === 'DELETE' && exchange.status === 503).length,
      ).toBeGreaterThan(1);
    } finally {
      emulator.setFaults(undefined);
      socket.close();
    }
  });
});
