import { RestError } from '@azure/core-rest-pipeline';
import { ManagedIdentityCredential } from '@azure/identity';
import { WebPubSubServiceClient } from '@azure/web-pubsub';
import { decodeJwt } from 'jose';
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

// With a TokenCredential, `getClientAccessToken` asks the service (:generateToken) and sends `clientProtocol` as
// `clientType` in lower case. The service matches it without case (Azure/azure-rest-api-specs specification/webpubsub/
// data-plane/WebPubSub/stable/2024-12-01/webpubsub.json) and the token's audience names the client path, as
// Azure/azure-sdk-for-js sdk/web-pubsub/web-pubsub/test/public/hubs.spec.ts checks ("…tokens with DAC").
it.each([
  ['default', 'client/hubs'],
  ['mqtt', 'clients/mqtt/hubs'],
  ['socketio', 'clients/socketio/hubs'],
] as const)('issues a %s client token whose audience is /%s/{hub}', async (clientProtocol, clientPath) => {
  const service = new WebPubSubServiceClient(httpsUrl, new ManagedIdentityCredential(), 'Secure');
  const { token, url } = await service.getClientAccessToken({ userId: 'brian', groups: ['group1'], clientProtocol });
  expect(new URL(url).pathname).toBe(`/${clientPath}/Secure`);
  expect(decodeJwt(token)).toMatchObject({
    aud: new URL(`${clientPath}/Secure`, `${httpsUrl}/`).toString(),
    sub: 'brian',
  });
});

it('refuses an unknown clientType as the service words it', async () => {
  const service = new WebPubSubServiceClient(httpsUrl, new ManagedIdentityCredential(), 'Secure');
  const error = await service
    .getClientAccessToken({ clientProtocol: 'carrier-pigeon' as 'mqtt' })
    .catch((failure: unknown) => failure as RestError);
  expect(error).toBeInstanceOf(RestError);
  // …/recording_can_generate_socketio_client_tokens_with_dac.json (a Web PubSub resource at api-version 2024-01-01).
  expect(JSON.parse((error as RestError).message)).toMatchObject({
    code: 'Error.BadRequest',
    message: "The value 'carrier-pigeon' is not valid.",
    target: 'clientType',
  });
});
