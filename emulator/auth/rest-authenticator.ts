import { decodeProtectedHeader } from 'jose';
import { wireErrors } from '../errors.js';
import type { AccessKeyRing } from './access-key.js';
import { audienceMatches } from './audience.js';
import type { EntraAuthenticator } from './entra.js';

/** Authenticates data-plane REST calls: an AccessKey JWT for the exact URL, or an Entra ID token of an owner. */
export class RestAuthenticator {
  constructor(
    private readonly keyRing: AccessKeyRing,
    private readonly entra: EntraAuthenticator | undefined,
  ) {}

  /** Throws a WireError (401, or 403 for an Entra principal without the owner role). */
  async authenticate(authorization: string | undefined, requestUrl: URL): Promise<void> {
    const token = bearerToken(authorization);
    if (token === undefined) throw wireErrors.unauthorized();
    let algorithm: string | undefined;
    try {
      algorithm = decodeProtectedHeader(token).alg;
    } catch {
      throw wireErrors.unauthorized();
    }
    if (algorithm === 'HS256') {
      const payload = await this.keyRing.verify(token);
      if (!payload || !audienceMatches(payload.aud, requestUrl)) throw wireErrors.unauthorized();
      return;
    }
    if (!this.entra) throw wireErrors.unauthorized();
    const verdict = await this.entra.verify(token);
    if (verdict === 'invalid') throw wireErrors.unauthorized();
    if (verdict === 'not-owner') throw wireErrors.forbidden('The principal lacks the Web PubSub Service Owner role.');
  }
}

export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match?.[1];
}
