import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';

export interface EntraOptions {
  issuer: string;
  jwksUri: string;
  /** Default https://webpubsub.azure.com */
  audience?: string;
  /** `oid` claims granted "Web PubSub Service Owner". */
  ownerPrincipalIds: string[];
}

export const defaultEntraAudience = 'https://webpubsub.azure.com';

export type EntraVerdict = 'owner' | 'not-owner' | 'invalid';

/** Microsoft Entra ID bearer tokens (RS256, keys from the issuer's JWKS). */
export class EntraAuthenticator {
  private readonly keys: ReturnType<typeof createRemoteJWKSet>;
  private readonly owners: ReadonlySet<string>;
  /** Verdicts on tokens already verified, until their expiry: apps reuse one token for many calls. */
  private readonly verdicts = new Map<string, { verdict: EntraVerdict; until: number }>();

  constructor(private readonly options: EntraOptions) {
    this.keys = createRemoteJWKSet(new URL(options.jwksUri));
    this.owners = new Set(options.ownerPrincipalIds);
  }

  async verify(token: string): Promise<EntraVerdict> {
    const known = this.verdicts.get(token);
    if (known && Date.now() < known.until) return known.verdict;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        issuer: this.options.issuer,
        audience: this.options.audience ?? defaultEntraAudience,
        algorithms: ['RS256'],
        clockTolerance: 300,
        requiredClaims: ['exp'],
      }));
    } catch {
      return 'invalid';
    }
    const verdict = typeof payload.oid === 'string' && this.owners.has(payload.oid) ? 'owner' : 'not-owner';
    if (this.verdicts.size >= 64) this.verdicts.clear();
    this.verdicts.set(token, { verdict, until: ((payload.exp ?? 0) + 300) * 1000 });
    return verdict;
  }
}
