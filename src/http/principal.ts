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

export interface PrincipalOptions {
  platformAuthEnabled: boolean;
}

/** The signed-in caller, or undefined when nobody is signed in (or the header cannot be trusted). */
export function readPrincipal(headers: Headers, options: PrincipalOptions): Principal | undefined {
  if (!options.platformAuthEnabled) return undefined;
  return parseClientPrincipal(headers.get('x-ms-client-principal'), headers.get('x-ms-client-principal-id'));
}

export function requireRole(principal: Principal | undefined, role: string): Principal {
  if (!principal) throw new UnauthorizedError();
  if (!principal.roles.includes(role)) throw new ForbiddenError(`This needs the '${role}' role.`, 'RoleRequired');
  return principal;
}
