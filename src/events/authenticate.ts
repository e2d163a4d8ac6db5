import { createHmac, timingSafeEqual } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { ForbiddenError, UnauthorizedError } from '../errors.js';
import type { Settings } from '../settings.js';
import type { UpstreamEvent } from './cloud-event.js';

const maxClockSkewMs = 5 * 60_000;
const clockToleranceSeconds = 300;
const maxVerifiedTokens = 64;

function equalsConstantTime(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Longest Authorization header remembered (Entra tokens are about 1.5 KB). */
const maxRememberedHeaderBytes = 8 * 1024;

interface VerifiedHeader {
  header: Buffer;
  /** The first `header.length` bytes of the scratch buffer, where a presented header is compared with this one. */
  presented: Buffer;
  /** Epoch ms. */
  acceptedUntil: number;
}

/**
 * Authenticates requests from Web PubSub: an Entra ID token from the service's managed identity (issuer, audience,
 * signature via JWKS, principal id) and/or `ce-signature` over the access keys, whichever the settings configure.
 */
export class UpstreamAuthenticator {
  private readonly jwks;
  private readonly allowedOrigins: Set<string>;
  /**
   * Authorization headers whose token was verified, newest first, with the time they stop being accepted. Web PubSub
   * reuses one token for many requests, and the RSA signature check is most of an event's CPU; a header verified once
   * is the same token again. Compared in constant time, newest first, so a hit costs one comparison and the time
   * taken tells nothing about how much of a header matched (a `Map` lookup compares the strings in variable time).
   */
  private readonly verified: VerifiedHeader[] = [];
  /** Where a presented header is copied to be compared: an event allocates nothing for it. */
  private readonly scratch = Buffer.alloc(maxRememberedHeaderBytes);

  constructor(private readonly settings: Settings['upstream']) {
    this.jwks = settings.token ? createRemoteJWKSet(new URL(settings.token.jwksUri)) : undefined;
    this.allowedOrigins = new Set(settings.allowedOrigins.map((origin) => origin.toLowerCase()));
  }

  /** The abuse-protection handshake: only the configured Web PubSub hosts may deliver events here. */
  allowedOrigin(requestOrigin: string | null): string {
    const origins = (requestOrigin ?? '').split(',').map((origin) => origin.trim().toLowerCase());
    const allowed = origins.find((origin) => this.allowedOrigins.has(origin));
    if (!allowed)
      throw new ForbiddenError('WebHook-Request-Origin is not an allowed Web PubSub host.', 'OriginNotAllowed');
    return allowed;
  }

  async authenticate(authorization: string | null, event: UpstreamEvent, now: Date): Promise<void> {
    if (Math.abs(now.getTime() - event.time.getTime()) > maxClockSkewMs) {
      throw new UnauthorizedError('The event is stale (ce-time is more than 5 minutes away).', 'StaleEvent');
    }
    const { token } = this.settings;
    // The whole header is the cache key: a hit needs no parsing (a token is about 1.5 KB), nor an await.
    if (token && !(authorization !== null && this.isVerified(authorization, now.getTime()))) {
      await this.verifyToken(authorization, token, now);
    }
    if (this.settings.accessKeys.length > 0) this.verifySignature(event);
  }

  private async verifyToken(
    authorization: string | null,
    expected: NonNullable<Settings['upstream']['token']>,
    now: Date,
  ) {
    const presented = authorization && /^Bearer +(\S+)$/i.exec(authorization)?.[1];
    if (!authorization || !presented || !this.jwks)
      throw new UnauthorizedError('A bearer token is required.', 'MissingToken');
    // Sent but not even shaped like a JWT: the caller did send a token, so it is invalid rather than missing.
    const token = /^[\w-]+\.[\w-]+\.[\w-]+$/.exec(presented)?.[0];
    if (!token) throw new UnauthorizedError('The bearer token is not a JWT.', 'InvalidToken');
    let principal: unknown;
    let expiresAt: number;
    try {
      const { payload } = await jwtVerify(token, this.jwks, {
        issuer: expected.issuer,
        audience: expected.audience,
        algorithms: ['RS256'],
        clockTolerance: clockToleranceSeconds,
        currentDate: now,
        // A token without an expiry would be good for ever once captured; Entra ID always sets one.
        requiredClaims: ['exp'],
      });
      principal = payload.oid ?? payload.sub;
      expiresAt = payload.exp as number;
    } catch {
      throw new UnauthorizedError('The bearer token is not valid for this app.', 'InvalidToken');
    }
    if (typeof principal !== 'string' || !equalsConstantTime(principal, expected.principalId)) {
      throw new UnauthorizedError('The bearer token is not from the Web PubSub identity.', 'UnexpectedPrincipal');
    }
    this.remember(authorization, (expiresAt + clockToleranceSeconds) * 1000);
  }

  private isVerified(authorization: string, nowMs: number): boolean {
    // UTF-8, so no other string has the bytes of a remembered (ASCII) header; one that fills the buffer may be cut.
    const length = this.scratch.write(authorization, 'utf8');
    if (length === this.scratch.length) return false;
    for (const entry of this.verified) {
      if (entry.header.length === length && timingSafeEqual(entry.header, entry.presented)) {
        return nowMs < entry.acceptedUntil;
      }
    }
    return false;
  }

  private remember(authorization: string, acceptedUntil: number) {
    const header = Buffer.from(authorization);
    if (header.length >= this.scratch.length) return;
    const known = this.verified.findIndex((entry) => entry.header.equals(header));
    if (known !== -1) this.verified.splice(known, 1);
    if (this.verified.length >= maxVerifiedTokens) this.verified.pop();
    this.verified.unshift({ header, presented: this.scratch.subarray(0, header.length), acceptedUntil });
  }

  private verifySignature(event: UpstreamEvent) {
    const presented = (event.signature ?? '')
      .split(',')
      .map((value) => value.trim().toLowerCase())
      .filter(Boolean);
    const expected = this.settings.accessKeys.map(
      (key) => `sha256=${createHmac('sha256', key).update(event.connectionId).digest('hex')}`,
    );
    // Compare every pair so the time taken does not tell which key or position matched.
    let matched = false;
    for (const candidate of presented)
      for (const value of expected) matched = equalsConstantTime(candidate, value) || matched;
    if (!matched) throw new UnauthorizedError('ce-signature does not match the access keys.', 'InvalidSignature');
  }
}
