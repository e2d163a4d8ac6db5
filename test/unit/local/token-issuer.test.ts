import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { createTokenIssuer, resourceFromScope, UnknownIdentityError } from '../../../local/identity/token-issuer.js';

const options = {
  issuer: 'http://127.0.0.1:1/tenant/v2.0',
  tenantId: 'tenant',
  identities: { app: { principalId: 'principal-app' } },
  defaultClientId: 'app',
};

describe('token issuer', () => {
  it('signs Entra-shaped app tokens that verify against its JWKS', async () => {
    const issuer = await createTokenIssuer(options);
    const token = await issuer.issue({ resource: 'https://webpubsub.azure.com/.default' });
    expect(token).toMatchObject({ clientId: 'app', resource: 'https://webpubsub.azure.com' });
    const { payload } = await jwtVerify(token.accessToken, createLocalJWKSet(issuer.jwks), {
      issuer: options.issuer,
      audience: 'https://webpubsub.azure.com',
    });
    expect(payload).toMatchObject({
      oid: 'principal-app',
      sub: 'principal-app',
      tid: 'tenant',
      appid: 'app',
      azp: 'app',
      idtyp: 'app',
    });
    expect(payload.exp).toBe(token.expiresOn);
    expect(decodeProtectedHeader(token.accessToken)).toMatchObject({ alg: 'RS256', kid: issuer.jwks.keys[0]?.kid });
  });

  it('refuses identities it does not have', async () => {
    await expect(createTokenIssuer({ ...options, defaultClientId: 'other' })).rejects.toThrow(UnknownIdentityError);
    const issuer = await createTokenIssuer(options);
    await expect(issuer.issue({ resource: 'x', clientId: 'other' })).rejects.toThrow(UnknownIdentityError);
  });

  it('treats a scope and its resource alike', () => {
    expect(resourceFromScope('api://x/.default')).toBe('api://x');
    expect(resourceFromScope('api://x')).toBe('api://x');
  });
});
