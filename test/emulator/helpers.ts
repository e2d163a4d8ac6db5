import { WebPubSubServiceClient } from '@azure/web-pubsub';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { type RunningEmulator, startEmulator } from '../../emulator/server.js';
import { ensureDevCertificates } from '../../local/certs.js';
import { type RunningIdentityEndpoint, startIdentityEndpoint } from '../../local/identity/server.js';

export interface EntraEmulator {
  emulator: RunningEmulator;
  identity: RunningIdentityEndpoint;
  httpsUrl: string;
  close(): Promise<void>;
}

/**
 * A local identity endpoint and an emulator over https that trusts its tokens, with the first identity's principal
 * as the only owner: the production auth path (the SDK refuses bearer tokens on plain http).
 */
export async function startEntraEmulator(
  identities: Record<string, { principalId: string }>,
  options: { quiet?: boolean } = {},
): Promise<EntraEmulator> {
  const [ownerClientId, owner] = Object.entries(identities)[0] ?? [];
  if (!ownerClientId || !owner) throw new Error('startEntraEmulator needs an owner identity.');
  const certificates = await ensureDevCertificates();
  const identity = await startIdentityEndpoint({ identities, defaultClientId: ownerClientId });
  const emulator = await startEmulator({
    https: { cert: certificates.certPem, key: certificates.keyPem },
    entra: { issuer: identity.issuer, jwksUri: identity.jwksUri, ownerPrincipalIds: [owner.principalId] },
    ...(options.quiet ? { log: () => undefined } : {}),
  });
  return {
    emulator,
    identity,
    httpsUrl: emulator.httpsUrl as string,
    close: async () => {
      await emulator.close();
      await identity.close();
    },
  };
}

export function serviceClient(emulator: RunningEmulator, hub: string): WebPubSubServiceClient {
  return new WebPubSubServiceClient(emulator.connectionString, hub, { allowInsecureConnection: true });
}

/** A REST bearer token as the SDK signs it: aud = the full request URL. */
export function restToken(key: string, url: string, expiresIn: string | number = '1h'): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setAudience(url)
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(key));
}

/** Raw REST call signed with the primary key, for spellings the SDK has no method for. */
export async function signedFetch(
  emulator: RunningEmulator,
  method: string,
  pathAndQuery: string,
  init: { body?: string; contentType?: string } = {},
): Promise<Response> {
  const url = `${emulator.httpUrl}${pathAndQuery}`;
  const headers: Record<string, string> = { authorization: `Bearer ${await restToken(emulator.accessKeys[0], url)}` };
  if (init.contentType) headers['content-type'] = init.contentType;
  return fetch(url, { method, headers, ...(init.body === undefined ? {} : { body: init.body }) });
}

export interface Received {
  data: string | Buffer;
  isBinary: boolean;
}

/** A raw `ws` client that records every frame and its close, for simple clients and protocol checks. */
export class RecordingSocket {
  readonly frames: Received[] = [];
  closed: { code: number; reason: string } | undefined;
  private waiters: (() => void)[] = [];

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => {
      const buffer = Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
      this.frames.push({ data: isBinary ? buffer : buffer.toString('utf8'), isBinary });
      this.notify();
    });
    socket.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.notify();
    });
  }

  static async open(url: string, protocols?: string | string[]): Promise<RecordingSocket> {
    const socket = new WebSocket(url, protocols);
    const recorder = new RecordingSocket(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return recorder;
  }

  /** JSON frames parsed, for PubSub subprotocol clients. */
  json(): Record<string, unknown>[] {
    return this.frames.filter((frame) => !frame.isBinary).map((frame) => JSON.parse(frame.data as string));
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame));
  }

  async waitFor<T>(probe: () => T | undefined, timeoutMs = 3000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value !== undefined && value !== false) return value;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`Timed out; frames so far: ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  waitForJson(match: (frame: Record<string, unknown>) => boolean, timeoutMs?: number) {
    return this.waitFor(() => this.json().find(match), timeoutMs);
  }

  waitForClose(timeoutMs?: number) {
    return this.waitFor(() => this.closed, timeoutMs);
  }

  close(): void {
    this.socket.close();
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }
}

export interface ClientOptions {
  userId?: string;
  roles?: string[];
  groups?: string[];
  protocol?: string;
}

/** Connects a raw client with a token from the SDK; returns it once the `connected` frame (if any) arrived. */
export async function connectClient(
  emulator: RunningEmulator,
  hub: string,
  options: ClientOptions = {},
): Promise<{ client: RecordingSocket; connectionId: string | undefined }> {
  const { url } = await serviceClient(emulator, hub).getClientAccessToken({
    ...(options.userId === undefined ? {} : { userId: options.userId }),
    ...(options.roles === undefined ? {} : { roles: options.roles }),
    ...(options.groups === undefined ? {} : { groups: options.groups }),
  });
  const client = await RecordingSocket.open(url, options.protocol);
  if (!options.protocol) return { client, connectionId: undefined };
  const connected = await client.waitForJson((frame) => frame.event === 'connected');
  return { client, connectionId: connected.connectionId as string };
}

/** Polls until the probe holds, for effects that are observable only from the outside. */
export async function eventually(probe: () => boolean | Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('Condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Attempts a WebSocket handshake; the HTTP status (101 when upgraded) and the body of a rejection. */
export function handshake(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, { headers });
    socket.on('unexpected-response', (_request, response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() });
        socket.terminate();
      });
    });
    socket.on('open', () => {
      resolve({ status: 101, body: '' });
      socket.close();
    });
    socket.on('error', () => undefined);
  });
}
