import { ManagedIdentityCredential } from '@azure/identity';
import { WebPubSubServiceClient } from '@azure/web-pubsub';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningIdentityEndpoint } from '../../local/identity/server.js';
import { type EntraEmulator, RecordingSocket, startEntraEmulator } from './helpers.js';

// Runs over https: the SDK refuses bearer tokens on plain http. vitest.config.ts sets NODE_EXTRA_CA_CERTS.
let stack: EntraEmulator;
let identity: RunningIdentityEndpoint;
let httpsUrl: string;

beforeAll(async () => {
  stack = await startEntraEmulator({
    'owner-app': { principalId: 'owner-oid' },
    'other-app': { principalId: 'other-oid' },
  });
  ({ identity, httpsUrl } = stack);
  // The managed identity source is read once per process, before the first token request.
  process.env.IDENTITY_ENDPOINT = identity.endpoint;
  process.env.IDENTITY_HEADER = identity.header;
  for (const name of ['AZURE_CLIENT_ID', 'AZURE_TENANT_ID', 'AZURE_FEDERATED_TOKEN_FILE']) delete process.env[name];
});
afterAll(async () => {
  await stack?.close();
});

it('accepts an owner managed identity for REST calls and :generateToken', async () => {
  const service = new WebPubSubServiceClient(httpsUrl, new ManagedIdentityCredential(), 'Secure');
  await service.sendToAll({ over: 'tls' });
  expect(await service.userExists('nobody')).toBe(false);
  const { url } = await service.getClientAccessToken({ userId: 'tess', roles: ['webpubsub.joinLeaveGroup'] });
  expect(url.startsWith(httpsUrl.replace('https', 'wss'))).toBe(true);
  const client = await RecordingSocket.open(url, 'json.webpubsub.azure.v1');
  expect(await client.waitForJson((frame) => frame.event === 'connected')).toMatchObject({ userId: 'tess' });
  client.close();
});

it('answers 403 for a principal without the owner role and 401 for a foreign audience', async () => {
  const other = new WebPubSubServiceClient(
    httpsUrl,
    new ManagedIdentityCredential({ clientId: 'other-app' }),
    'Secure',
  );
  const denied = await other.sendToAll({ a: 1 }).catch((error: { statusCode?: number }) => error);
  expect((denied as { statusCode?: number }).statusCode).toBe(403);

  const foreign = await identity.issueToken({ resource: 'api://someone-else' });
  const response = await fetch(`${httpsUrl}/api/hubs/secure/:send?api-version=2024-12-01`, {
    method: 'POST',
    headers: { authorization: `Bearer ${foreign}`, 'content-type': 'text/plain' },
    body: 'x',
  });
  expect(response.status).toBe(401);
});
