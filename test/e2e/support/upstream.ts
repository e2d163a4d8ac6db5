import { randomUUID } from 'node:crypto';
import { decodeJwt, generateKeyPair, SignJWT } from 'jose';
import { inject } from 'vitest';

/** What a test needs to call the app's event handler as Web PubSub does (the `stack` the e2e setup provides). */
export interface UpstreamTarget {
  appUrl: string;
  identityEndpoint: string;
  identityHeader: string;
  upstreamAudience: string;
  webPubSubClientId: string;
}

export const injectedTarget = (): UpstreamTarget => inject('stack');

export interface TokenRequestOptions {
  /** Default: the Web PubSub identity. */
  clientId?: string;
  /** Default: the audience the app expects. */
  resource?: string;
}

/** A token from the local managed identity endpoint, exactly as the emulator gets one for its event handler. */
export async function mintUpstreamToken(target: UpstreamTarget, options: TokenRequestOptions = {}): Promise<string> {
  const url = new URL(target.identityEndpoint);
  url.searchParams.set('api-version', '2019-08-01');
  url.searchParams.set('resource', options.resource ?? target.upstreamAudience);
  url.searchParams.set('client_id', options.clientId ?? target.webPubSubClientId);
  const response = await fetch(url, { headers: { 'X-IDENTITY-HEADER': target.identityHeader } });
  if (!response.ok) throw new Error(`the identity endpoint answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

/**
 * The same claims as a real upstream token, re-signed with a key nobody trusts; `expiresInSeconds` < 0 makes it
 * expired as well.
 */
export async function forgeUpstreamToken(genuine: string, expiresInSeconds = 3_600): Promise<string> {
  const { privateKey } = await generateKeyPair('RS256');
  const claims = decodeJwt(genuine);
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ ...claims, iat: now - 7_200, nbf: now - 7_200, exp: now + expiresInSeconds })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'unknown-key' })
    .sign(privateKey);
}

/** The token with its payload swapped (the signature no longer matches): an attacker editing `exp` or `oid`. */
export function tamperToken(genuine: string, changes: Record<string, unknown>): string {
  const [header, payload, signature] = genuine.split('.');
  const claims = { ...JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')), ...changes };
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
}

export type UpstreamEventType = 'connect' | 'connected' | 'disconnected' | `user.${string}`;

export interface CloudEventOptions {
  type: UpstreamEventType;
  connectionId?: string;
  userId?: string;
  connectionState?: string;
  /** Replace (string) or drop (undefined) any header after the defaults are set. */
  overrides?: Record<string, string | undefined>;
}

/** Binary-mode CloudEvents headers as the service sends them (see the protocol reference, section 4). */
export function cloudEventHeaders(options: CloudEventOptions): Record<string, string> {
  const connectionId = options.connectionId ?? `fuzz-${randomUUID()}`;
  const system = !options.type.startsWith('user.');
  const eventName = system ? options.type : options.type.slice('user.'.length);
  const values: Record<string, string | undefined> = {
    'ce-specversion': '1.0',
    'ce-awpsversion': '1.0',
    'ce-type': `azure.webpubsub.${system ? 'sys' : 'user'}.${eventName}`,
    'ce-source': `/hubs/chat/client/${connectionId}`,
    'ce-id': randomUUID(),
    'ce-time': new Date().toISOString(),
    'ce-hub': 'chat',
    'ce-connectionid': connectionId,
    'ce-eventname': eventName,
    'ce-userid': options.userId,
    'ce-connectionstate': options.connectionState,
    'webhook-request-origin': '127.0.0.1',
    'content-type': system ? 'application/json; charset=utf-8' : 'application/json',
    ...options.overrides,
  };
  return Object.fromEntries(
    Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

export interface UpstreamCall {
  method?: 'POST' | 'OPTIONS';
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** `Bearer <token>` is added when set. */
  token?: string;
}

export interface UpstreamAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body when it is JSON. */
  json: unknown;
}

/** Calls `/api/webpubsub`; a request that takes longer than `timeoutMs` fails (a hang is a bug too). */
export async function callEventHandler(
  appUrl: string,
  call: UpstreamCall,
  timeoutMs = 10_000,
): Promise<UpstreamAnswer> {
  const headers = new Headers(call.headers);
  if (call.token !== undefined) headers.set('authorization', `Bearer ${call.token}`);
  const response = await fetch(new URL('/api/webpubsub', appUrl), {
    method: call.method ?? 'POST',
    headers,
    // A copy, so any view (Buffer, a subarray) is sent as exactly its bytes.
    ...(call.body === undefined ? {} : { body: typeof call.body === 'string' ? call.body : new Uint8Array(call.body) }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** Runs `tasks` with at most `limit` in flight, in order of start. */
export async function runLimited<T>(tasks: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await (tasks[index] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}
