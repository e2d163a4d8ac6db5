import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningIdentityEndpoint, startIdentityEndpoint } from '../../local/identity/server.js';

const run = promisify(execFile);
const appPrincipalId = '0b6c1f0e-5a43-4c8e-9d27-7f0d2c3e4a51';
const servicePrincipalId = '5e2a7d19-8c3b-4f61-a0d4-93b1c6e8f270';

/** Runs `@azure/identity` in a fresh process: its managed identity source is chosen once per process from env. */
async function getTokensInChild(identity: RunningIdentityEndpoint, script: string): Promise<Record<string, string>> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    IDENTITY_ENDPOINT: identity.endpoint,
    IDENTITY_HEADER: identity.header,
  };
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { env, cwd: process.cwd() });
  return JSON.parse(stdout) as Record<string, string>;
}

describe('local managed identity endpoint', () => {
  let identity: RunningIdentityEndpoint;

  beforeAll(async () => {
    identity = await startIdentityEndpoint({
      identities: {
        'app-local': { principalId: appPrincipalId },
        'webpubsub-local': { principalId: servicePrincipalId },
      },
      defaultClientId: 'app-local',
    });
  });
  afterAll(() => identity.close());

  const verify = async (token: string, audience: string) => {
    const discovery = (await (
      await fetch(`${new URL(identity.issuer).origin}/${identity.tenantId}/v2.0/.well-known/openid-configuration`)
    ).json()) as { issuer: string; jwks_uri: string };
    expect(discovery).toMatchObject({ issuer: identity.issuer, jwks_uri: identity.jwksUri });
    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(discovery.jwks_uri)), {
      issuer: discovery.issuer,
      audience,
      algorithms: ['RS256'],
    });
    expect(decodeProtectedHeader(token).kid).toBeTruthy();
    return payload;
  };

  it('serves ManagedIdentityCredential and DefaultAzureCredential from @azure/identity unchanged', async () => {
    const tokens = await getTokensInChild(
      identity,
      `import { DefaultAzureCredential, ManagedIdentityCredential } from '@azure/identity';
       const scope = 'https://webpubsub.azure.com/.default';
       const system = await new ManagedIdentityCredential().getToken(scope);
       const user = await new ManagedIdentityCredential({ clientId: 'webpubsub-local' }).getToken('api://webpubsub-moderator-local/.default');
       const fallback = await new DefaultAzureCredential().getToken(scope);
       process.stdout.write(JSON.stringify({ system: system.token, user: user.token, fallback: fallback.token,
         expiresInSeconds: String(Math.round((system.expiresOnTimestamp - Date.now()) / 1000)) }));`,
    );

    const system = await verify(tokens.system ?? '', 'https://webpubsub.azure.com');
    expect(system).toMatchObject({
      oid: appPrincipalId,
      sub: appPrincipalId,
      tid: identity.tenantId,
      appid: 'app-local',
      azp: 'app-local',
      idtyp: 'app',
    });
    expect((system.exp ?? 0) - (system.iat ?? 0)).toBe(3600);
    expect(system.nbf).toBe(system.iat);
    expect(Number(tokens.expiresInSeconds)).toBeGreaterThan(3500);

    const user = await verify(tokens.user ?? '', 'api://webpubsub-moderator-local');
    expect(user).toMatchObject({ oid: servicePrincipalId, appid: 'webpubsub-local', azp: 'webpubsub-local' });

    const fallback = await verify(tokens.fallback ?? '', 'https://webpubsub.azure.com');
    expect(fallback.oid).toBe(appPrincipalId);
  });

  it('makes the SDK fail fast for an identity that is not assigned', async () => {
    const result = await getTokensInChild(
      identity,
      `import { ManagedIdentityCredential } from '@azure/identity';
       const started = Date.now();
       const error = await new ManagedIdentityCredential({ clientId: 'nobody' }).getToken('https://webpubsub.azure.com/.default').then(() => undefined, (e) => e);
       process.stdout.write(JSON.stringify({ message: String(error?.message), ms: String(Date.now() - started) }));`,
    );
    expect(result.message).toContain("No managed identity with client id 'nobody'");
    expect(Number(result.ms)).toBeLessThan(5000);
  });

  it('answers the wire protocol: secret header, api-version, resource or scope, JSON errors', async () => {
    const tokenUrl = (query: string) => `${identity.endpoint}?${query}`;
    const withHeader = { headers: { 'X-IDENTITY-HEADER': identity.header } };

    const missingHeader = await fetch(tokenUrl('api-version=2019-08-01&resource=https://webpubsub.azure.com'));
    expect(missingHeader.status).toBe(401);
    const wrongHeader = await fetch(tokenUrl('api-version=2019-08-01&resource=https://webpubsub.azure.com'), {
      headers: { 'X-IDENTITY-HEADER': `${identity.header}x` },
    });
    expect(wrongHeader.status).toBe(401);

    const unknown = await fetch(tokenUrl('api-version=2019-08-01&resource=x&client_id=nobody'), withHeader);
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({
      error: 'invalid_request',
      message: expect.stringContaining('nobody'),
    });

    const oldVersion = await fetch(tokenUrl('api-version=2017-09-01&resource=x'), withHeader);
    expect(oldVersion.status).toBe(400);

    const byScope = await fetch(
      tokenUrl(
        'api-version=2019-08-01&scope=api%3A%2F%2Fwebpubsub-moderator-local%2F.default&client_id=webpubsub-local',
      ),
      withHeader,
    );
    expect(byScope.status).toBe(200);
    const body = (await byScope.json()) as Record<string, string>;
    expect(body).toMatchObject({
      resource: 'api://webpubsub-moderator-local',
      token_type: 'Bearer',
      client_id: 'webpubsub-local',
      expires_on: expect.stringMatching(/^\d+$/),
    });
    expect((await verify(body.access_token ?? '', 'api://webpubsub-moderator-local')).oid).toBe(servicePrincipalId);
  });

  it('issues tokens in-process for the emulator', async () => {
    const token = await identity.issueToken({
      resource: 'api://webpubsub-moderator-local/.default',
      clientId: 'webpubsub-local',
    });
    expect((await verify(token, 'api://webpubsub-moderator-local')).sub).toBe(servicePrincipalId);
    await expect(identity.issueToken({ resource: 'x', clientId: 'nobody' })).rejects.toThrow(/nobody/);
  });
});
