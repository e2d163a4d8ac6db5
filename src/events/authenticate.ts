import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
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

/** A header's SHA-256: the key under which a verified token is remembered, so the token itself is not kept. */
const digestOf = (authorization: string) => createHash('sha256').update(authorization).digest('base64');

/**
 * Authenticates requests from Web PubSub: an Entra ID token from the service's managed identity (issuer, audience,
 * signature via JWKS, principal id) and/or `ce-signature` over the access keys, whichever the settings configure.
 */
export class UpstreamAuthenticator {
  private readonly jwks;
  private readonly allowedOrigins: Set<string>;
  /**
   * Authorization headers whose token was verified, by their digest, with the time (epoch ms) they stop being
   * accepted; the oldest goes first when the map is full. Web PubSub reuses one token for many requests, and the RSA
   * signature check is most of an event's CPU. Looking up a digest tells a timing observer nothing about the header.
   */
  private readonly verified = new Map<string, number>();

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
    // A header verified before needs no parsing (a token is about 1.5 KB) nor an await, only its digest.
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
    } catch (error) {
      throw new UnauthorizedError('The bearer token is not valid for this app.', 'InvalidToken', { cause: error });
    }
    if (typeof principal !== 'string' || !equalsConstantTime(principal, expected.principalId)) {
      throw new UnauthorizedError('The bearer token is not from the Web PubSub identity.', 'UnexpectedPrincipal');
    }
    this.remember(authorization, (expiresAt + clockToleranceSeconds) * 1000);
  }

  private isVerified(authorization: string, nowMs: number): boolean {
    const digest = digestOf(authorization);
    const acceptedUntil = this.verified.get(digest);
    if (acceptedUntil === undefined) return false;
    if (nowMs < acceptedUntil) return true;
    this.verified.delete(digest);
    return false;
  }

  private remember(authorization: string, acceptedUntil: number) {
    const digest = digestOf(authorization);
    this.verified.delete(digest);
    if (this.verified.size >= maxVerifiedTokens) {
      const oldest = this.verified.keys().next().value;
      if (oldest !== undefined) this.verified.delete(oldest);
    }
    this.verified.set(digest, acceptedUntil);
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
