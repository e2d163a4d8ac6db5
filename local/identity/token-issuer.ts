import { randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

export interface ManagedIdentity {
  principalId: string;
}

export interface TokenIssuerOptions {
  issuer: string;
  tenantId: string;
  identities: Record<string, ManagedIdentity>;
  defaultClientId: string;
}

export interface TokenRequest {
  resource: string;
  clientId?: string;
}

export interface IssuedToken {
  accessToken: string;
  clientId: string;
  resource: string;
  expiresOn: number;
}

/** A signed-in user's access token for an API, as `az account get-access-token --resource <api>` gets one. */
export interface UserTokenRequest {
  resource: string;
  userId: string;
  roles: readonly string[];
}

export interface TokenIssuer {
  jwks: { keys: JWK[] };
  issue(request: TokenRequest): Promise<IssuedToken>;
  issueForUser(request: UserTokenRequest): Promise<string>;
}

export class UnknownIdentityError extends Error {
  override name = 'UnknownIdentityError';
}

const tokenLifetimeSeconds = 60 * 60;

/** Strips the `/.default` scope suffix, so `api://x/.default` and `api://x` name the same audience. */
export function resourceFromScope(scopeOrResource: string): string {
  return scopeOrResource.endsWith('/.default') ? scopeOrResource.slice(0, -'/.default'.length) : scopeOrResource;
}

/** Signs Entra-shaped app tokens (RS256, `kid` in the header) with a key pair that lives as long as the issuer. */
export async function createTokenIssuer(options: TokenIssuerOptions): Promise<TokenIssuer> {
  if (!options.identities[options.defaultClientId]) {
    throw new UnknownIdentityError(`The default client id '${options.defaultClientId}' is not among the identities.`);
  }
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const jwks = { keys: [{ ...publicJwk, kid, use: 'sig', alg: 'RS256' }] };

  const sign = (claims: Record<string, unknown>, subject: string, audience: string, now: number) =>
    new SignJWT({ ...claims, tid: options.tenantId, uti: randomUUID() })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid })
      .setIssuer(options.issuer)
      .setAudience(audience)
      .setSubject(subject)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + tokenLifetimeSeconds)
      .sign(privateKey);

  return {
    jwks,
    issueForUser({ resource, userId, roles }) {
      // Entra puts a user's app roles in `roles` and the delegated scope in `scp`.
      const claims = { oid: userId, name: userId, idtyp: 'user', scp: 'user_impersonation', roles: [...roles] };
      return sign(claims, userId, resourceFromScope(resource), Math.floor(Date.now() / 1000));
    },
    async issue({ resource, clientId = options.defaultClientId }) {
      const identity = options.identities[clientId];
      if (!identity) throw new UnknownIdentityError(`No managed identity with client id '${clientId}' is assigned.`);
      const audience = resourceFromScope(resource);
      const now = Math.floor(Date.now() / 1000);
      const expiresOn = now + tokenLifetimeSeconds;
      const claims = { oid: identity.principalId, appid: clientId, azp: clientId, idtyp: 'app' };
      const accessToken = await sign(claims, identity.principalId, audience, now);
      return { accessToken, clientId, resource: audience, expiresOn };
    },
  };
}
