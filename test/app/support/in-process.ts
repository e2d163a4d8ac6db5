import { createHmac } from 'node:crypto';
import * as functions from '@azure/functions';
import type { TextAnalyzer } from '../../../src/ai/content-safety.js';
import { type App, createApp } from '../../../src/app.js';
import { serve } from '../../../src/http/register.js';
import { MemoryWebPubSub } from '../../../src/ports/memory-web-pubsub.js';
import { endpoints } from '../../../src/runtime.js';
import { loadSettings } from '../../../src/settings.js';
import { memoryStores } from '../../../src/store/memory/stores.js';

/** The access key upstream events are signed with here (`ce-signature`, as Web PubSub signs them). */
const accessKey = 'in-process-access-key';
const hub = 'chat';

export type Endpoint = keyof typeof endpoints;

export interface Caller {
  userId: string;
  roles?: string[];
}

export interface ApiAnswer {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

export interface UpstreamAnswer extends ApiAnswer {
  /** The connection state the reply carries, decoded; undefined when it did not change. */
  connectionState: string | undefined;
}

/**
 * The app over in-memory ports (Web PubSub and the store), served through the same `serve()` as the registered
 * functions, with the library's own `HttpRequest` and `InvocationContext`. Callers are signed in as App Service
 * Authentication would sign them in; upstream events are CloudEvents signed with the access key.
 */
export class InProcessApp {
  readonly webPubSub = new MemoryWebPubSub();
  readonly stores = memoryStores();
  readonly app: App;
  private clock: number;

  constructor(
    env: Record<string, string> = {},
    start = new Date('2026-12-03T10:00:00Z'),
    contentSafety?: TextAnalyzer,
  ) {
    this.clock = start.getTime();
    const settings = loadSettings({
      WEBPUBSUB_ENDPOINT: 'https://memory.webpubsub.invalid',
      WEBPUBSUB_HUB: hub,
      WEBPUBSUB_ACCESS_KEYS: accessKey,
      TABLES_CONNECTION_STRING: 'UseDevelopmentStorage=true',
      WEBSITE_AUTH_ENABLED: 'true',
      ...env,
    });
    const ports = { webPubSub: this.webPubSub, ...this.stores, contentSafety };
    this.app = createApp(settings, ports, () => new Date(this.clock));
  }

  /** Moves the app's clock on. */
  advance(ms: number): void {
    this.clock += ms;
  }

  /** Calls an endpoint as `caller` (nobody when undefined). */
  async call(
    endpoint: Endpoint,
    caller: Caller | undefined,
    init: {
      method?: string;
      path?: string;
      body?: unknown;
      params?: Record<string, string>;
      headers?: Record<string, string>;
    } = {},
  ): Promise<ApiAnswer> {
    const headers: Record<string, string> = { ...init.headers };
    if (caller) headers['x-ms-client-principal'] = principalHeader(caller);
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const request = new functions.HttpRequest({
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      url: `http://localhost/api/${init.path ?? endpoint}`,
      headers,
      params: init.params ?? {},
      ...(init.body === undefined ? {} : { body: { string: JSON.stringify(init.body) } }),
    });
    return answerOf(await serve(endpoints[endpoint], this.app, request, context(endpoint)));
  }

  /** Delivers one upstream event as Web PubSub would: `connect`, `connected`, a user event… */
  async event(
    connectionId: string,
    userId: string,
    event: { type: 'system' | 'user'; name: string; data?: unknown; connectionState?: string },
  ): Promise<UpstreamAnswer> {
    const headers: Record<string, string> = {
      'ce-specversion': '1.0',
      'ce-type': `azure.webpubsub.${event.type === 'system' ? 'sys' : 'user'}.${event.name}`,
      'ce-source': `/hubs/${hub}/client/${connectionId}`,
      'ce-id': `${connectionId}-${event.name}-${this.clock}`,
      'ce-time': new Date(this.clock).toISOString(),
      'ce-hub': hub,
      'ce-connectionid': connectionId,
      'ce-eventname': event.name,
      'ce-userid': userId,
      'ce-signature': `sha256=${createHmac('sha256', accessKey).update(connectionId).digest('hex')}`,
      'content-type': 'application/json',
      ...(event.connectionState ? { 'ce-connectionstate': event.connectionState } : {}),
    };
    const request = new functions.HttpRequest({
      method: 'POST',
      url: 'http://localhost/api/webpubsub',
      headers,
      body: { string: JSON.stringify(event.data ?? {}) },
    });
    const response = await serve(endpoints.handleUpstream, this.app, request, context('webpubsub'));
    const answer = answerOf(response);
    return { ...answer, connectionState: answer.headers['ce-connectionstate'] };
  }
}

/** A chatter's connection: it connects, and carries its connection state from reply to event as the service does. */
export class InProcessChatter {
  private state: string | undefined;

  constructor(
    private readonly app: InProcessApp,
    readonly userId: string,
    readonly connectionId = `${userId}-${Math.random().toString(36).slice(2, 10)}`,
  ) {}

  async connect(): Promise<ApiAnswer> {
    const answer = await this.send('system', 'connect', { claims: {} });
    if (answer.status === 200) {
      this.app.webPubSub.connect(this.connectionId, this.userId);
      await this.send('system', 'connected');
    }
    return answer;
  }

  join(room: string) {
    return this.send('user', 'join', { room });
  }

  chat(room: string, text: string) {
    return this.send('user', 'chat', { room, text });
  }

  report(messageId: string, reason: string) {
    return this.send('user', 'report', { messageId, reason });
  }

  private async send(type: 'system' | 'user', name: string, data?: unknown): Promise<UpstreamAnswer> {
    const answer = await this.app.event(this.connectionId, this.userId, {
      type,
      name,
      ...(data === undefined ? {} : { data }),
      ...(this.state ? { connectionState: this.state } : {}),
    });
    if (answer.connectionState) this.state = answer.connectionState;
    return answer;
  }
}

function principalHeader({ userId, roles = [] }: Caller): string {
  const claims = [
    { typ: 'http://schemas.microsoft.com/identity/claims/objectidentifier', val: userId },
    { typ: 'name', val: userId },
    ...roles.map((role) => ({ typ: 'roles', val: role })),
  ];
  return Buffer.from(JSON.stringify({ auth_typ: 'aad', claims })).toString('base64');
}

const context = (functionName: string) => new functions.InvocationContext({ functionName });

function answerOf(response: functions.HttpResponseInit): ApiAnswer {
  const headers = Object.fromEntries(
    Object.entries((response.headers as Record<string, string> | undefined) ?? {}).map(([name, value]) => [
      name.toLowerCase(),
      String(value),
    ]),
  );
  // As the caller receives it: JSON on the wire (dates as ISO strings).
  const body = response.jsonBody === undefined ? undefined : JSON.parse(JSON.stringify(response.jsonBody));
  return { status: response.status ?? 200, body, headers };
}
