import { type JWTPayload, jwtVerify, SignJWT } from 'jose';

/** JWTs signed with the service AccessKey: the HMAC key is the UTF-8 bytes of the key string. */
export class AccessKeyRing {
  private readonly secrets: Uint8Array[];

  constructor(readonly keys: readonly [string, string]) {
    this.secrets = keys.map((key) => new TextEncoder().encode(key));
  }

  /** The verified payload, or undefined when neither key signed it or it has expired. */
  async verify(token: string): Promise<JWTPayload | undefined> {
    for (const secret of this.secrets) {
      try {
        const { payload } = await jwtVerify(token, secret, {
          algorithms: ['HS256'],
          clockTolerance: 300,
          requiredClaims: ['exp'],
        });
        return payload;
      } catch {
        // Try the other key.
      }
    }
    return undefined;
  }

  /** Signs a client access token the way `WebPubSubServiceClient.getClientAccessToken` does with a key. */
  signClientToken(options: ClientTokenOptions): Promise<string> {
    const payload: Record<string, unknown> = {};
    if (options.roles.length > 0) payload.role = options.roles;
    if (options.groups.length > 0) payload['webpubsub.group'] = options.groups;
    const jwt = new SignJWT(payload)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt()
      .setAudience(options.audience)
      .setExpirationTime(`${options.minutesToExpire}m`);
    if (options.userId !== undefined) jwt.setSubject(options.userId);
    return jwt.sign(this.secrets[0] as Uint8Array);
  }
}

export interface ClientTokenOptions {
  audience: string;
  userId?: string | undefined;
  roles: readonly string[];
  groups: readonly string[];
  minutesToExpire: number;
}
