import { describe, expect, it } from 'vitest';
import { ForbiddenError, UnauthorizedError } from '../../../src/errors.js';
import { parseClientPrincipal, readPrincipal, requireRole } from '../../../src/http/principal.js';

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');
const entraPrincipal = encode({
  auth_typ: 'aad',
  name_typ: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
  role_typ: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role',
  claims: [
    { typ: 'http://schemas.microsoft.com/identity/claims/objectidentifier', val: 'oid-1' },
    { typ: 'name', val: 'Alice' },
    { typ: 'roles', val: 'moderator' },
    { typ: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role', val: 'moderator' },
  ],
});

describe('parseClientPrincipal', () => {
  it('reads the user id, name and deduplicated roles of an Entra principal', () => {
    expect(parseClientPrincipal(entraPrincipal, null)).toEqual({
      userId: 'oid-1',
      name: 'Alice',
      roles: ['moderator'],
    });
  });

  it('prefers x-ms-client-principal-id for the user id', () => {
    expect(parseClientPrincipal(entraPrincipal, 'from-header')?.userId).toBe('from-header');
  });

  it('is undefined without a header and 401 for a malformed one', () => {
    expect(parseClientPrincipal(null, null)).toBeUndefined();
    expect(() => parseClientPrincipal('%%%', null)).toThrow(UnauthorizedError);
    expect(() => parseClientPrincipal(encode({ claims: 'no' }), null)).toThrow(UnauthorizedError);
    expect(() => parseClientPrincipal(encode({ claims: [] }), null)).toThrow(/no user id/);
  });
});

describe('readPrincipal', () => {
  it('ignores the header where the platform authentication is off (it could be spoofed)', () => {
    const headers = new Headers({ 'x-ms-client-principal': entraPrincipal });
    expect(readPrincipal(headers, { platformAuthEnabled: false })).toBeUndefined();
    expect(readPrincipal(headers, { platformAuthEnabled: true })?.userId).toBe('oid-1');
  });
});

describe('requireRole', () => {
  it('is 401 for nobody, 403 without the role', () => {
    expect(() => requireRole(undefined, 'moderator')).toThrow(UnauthorizedError);
    expect(() => requireRole({ userId: 'u', name: 'u', roles: [] }, 'moderator')).toThrow(ForbiddenError);
    expect(requireRole({ userId: 'u', name: 'u', roles: ['moderator'] }, 'moderator').userId).toBe('u');
  });
});
