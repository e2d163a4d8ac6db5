import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';
import { z } from 'zod';
import { ForbiddenError, UnauthorizedError } from '../errors.js';
import { parseBase64Json } from './base64-json.js';

/** Who is calling, as App Service Authentication (Easy Auth) describes them. */
export interface Principal {
  userId: string;
  name: string;
  roles: readonly string[];
}

const clientPrincipalSchema = z.object({
  auth_typ: z.string().optional(),
  name_typ: z.string().optional(),
  role_typ: z.string().optional(),
  claims: z.array(z.object({ typ: z.string(), val: z.string() })).max(500),
});

const objectIdClaim = 'http://schemas.microsoft.com/identity/claims/objectidentifier';
const roleClaims = new Set(['roles', 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role']);
const nameClaims = ['name', 'preferred_username', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name'];

/**
 * Decodes `x-ms-client-principal`. Only call this where the platform's authentication is on: anywhere else the
 * header is whatever the caller wrote.
 */
export function parseClientPrincipal(header: string | null, principalIdHeader: string | null): Principal | undefined {
  if (!header) return undefined;
  const principal = parseBase64Json(header, clientPrincipalSchema);
  if (!principal) {
    throw new UnauthorizedError(
      'The x-ms-client-principal header is not base64 JSON with a claims list.',
      'InvalidPrincipal',
    );
  }
  const { claims, role_typ: roleType } = principal;
  const claim = (types: readonly string[]) => claims.find((c) => types.includes(c.typ))?.val;
  const userId = principalIdHeader || claim([objectIdClaim, 'oid', 'sub']);
  if (!userId) throw new UnauthorizedError('The signed-in principal has no user id.', 'InvalidPrincipal');
  const roles = claims.filter((c) => roleClaims.has(c.typ) || c.typ === roleType).map((c) => c.val);
  return { userId, name: claim(nameClaims) ?? userId, roles: [...new Set(roles)] };
}

/** Entra ID access tokens for this API (`az account get-access-token --resource <api>`), checked by the app itself. */
export interface ApiTokenSettings {
  /** v1 tokens are issued by `https://sts.windows.net/<tenant>/`, v2 by `https://login.microsoftonline.com/<tenant>/v2.0`. */
  issuers: string[];
  /** The API's client id and its `api://` identifier URI: v2 tokens carry the first, v1 the resource asked for. */
  audiences: string[];
  jwksUri: string;
}

export interface PrincipalOptions {
  platformAuthEnabled: boolean;
  apiToken: ApiTokenSettings | undefined;
}

const clockToleranceSeconds = 300;
const rolesClaimSchema = z.array(z.string()).max(500).optional();

/**
 * Who is calling: the holder of a bearer token for this API (validated here: signature against the tenant's keys,
 * issuer, audience, expiry; roles from its `roles` claim), or else the session App Service Authentication describes
 * in `x-ms-client-principal` (only where the platform's authentication is on). A bearer token is never taken on the
 * platform's word: were authentication off or misconfigured, a script's moderator role still rests on a signature.
 */
export class PrincipalReader {
  private readonly jwks;

  constructor(private readonly options: PrincipalOptions) {
    this.jwks = options.apiToken ? createRemoteJWKSet(new URL(options.apiToken.jwksUri)) : undefined;
  }

  /** The signed-in caller, or undefined when nobody is signed in (or the header cannot be trusted). */
  async read(headers: Headers): Promise<Principal | undefined> {
    const bearer = /^Bearer (\S+)$/i.exec(headers.get('authorization') ?? '')?.[1];
    if (bearer && this.options.apiToken && this.jwks) return this.verify(bearer, this.options.apiToken, this.jwks);
    if (!this.options.platformAuthEnabled) return undefined;
    return parseClientPrincipal(headers.get('x-ms-client-principal'), headers.get('x-ms-client-principal-id'));
  }

  private async verify(
    token: string,
    expected: ApiTokenSettings,
    jwks: NonNullable<PrincipalReader['jwks']>,
  ): Promise<Principal> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, {
        issuer: expected.issuers,
        audience: expected.audiences,
        algorithms: ['RS256'],
        clockTolerance: clockToleranceSeconds,
        requiredClaims: ['exp'],
      }));
    } catch {
      throw new UnauthorizedError('The bearer token is not valid for this API.', 'InvalidToken');
    }
    const userId = typeof payload.oid === 'string' ? payload.oid : payload.sub;
    const roles = rolesClaimSchema.safeParse(payload.roles);
    if (!userId || !roles.success) {
      throw new UnauthorizedError('The bearer token names no user or has unreadable roles.', 'InvalidToken');
    }
    const name = [payload.name, payload.preferred_username, payload.upn].find((value) => typeof value === 'string');
    return { userId, name: (name as string | undefined) ?? userId, roles: [...new Set(roles.data ?? [])] };
  }
}

export function requireRole(principal: Principal | undefined, role: string): Principal {
  if (!principal) throw new UnauthorizedError();
  if (!principal.roles.includes(role)) throw new ForbiddenError(`This needs the '${role}' role.`, 'RoleRequired');
  return principal;
}
