import { WebPubSubClient, type WebPubSubClientOptions } from '@azure/web-pubsub-client';
import type { ChatMessage, Reply } from './chat-client.js';

/**
 * Clients for a stack a test file starts itself (`startStack()`), where the injected e2e stack's helpers do not
 * reach: sign-in against that stack's Easy Auth, its API, and chat members on the official client.
 */
export class StackSession {
  constructor(readonly appUrl: string) {}

  /** Signs in through the host's Easy Auth emulation and returns the session cookie. */
  async signIn(userId: string, roles: string[] = []): Promise<string> {
    const url = new URL('/.auth/login/dev', this.appUrl);
    url.searchParams.set('userId', userId);
    if (roles.length) url.searchParams.set('roles', roles.join(','));
    const response = await fetch(url, { redirect: 'manual' });
    const cookie = response.headers.get('set-cookie')?.split(';')[0];
    if (!cookie) throw new Error(`sign-in for ${userId} set no cookie (status ${response.status})`);
    return cookie;
  }

  api(path: string, cookie: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('cookie', cookie);
    if (init.body !== undefined) headers.set('content-type', 'application/json');
    return fetch(new URL(path, this.appUrl), { ...init, headers });
  }

  async member(userId: string, options: MemberOptions = {}): Promise<Member> {
    const member = new Member(this, userId, await this.signIn(userId), options);
    await member.client.start();
    return member;
  }
}

export interface MemberOptions {
  /**
   * Passed to the client. Defaults: no auto-reconnect (a member the service closes stays closed, so a test sees
   * exactly one connection) and no message retries (a refused ack is final).
   */
  client?: WebPubSubClientOptions;
}

/** A chatter on `@azure/web-pubsub-client`: what it receives, and its events answered by the app. */
export class Member {
  readonly chats: ChatMessage[] = [];
  readonly notices: string[] = [];
  readonly client: WebPubSubClient;
  connectionId: string | undefined;
  disconnectReason: string | undefined;
  private readonly waiting: ((reply: Reply) => void)[] = [];

  constructor(
    session: StackSession,
    readonly userId: string,
    readonly cookie: string,
    options: MemberOptions,
  ) {
    this.client = new WebPubSubClient(
      {
        getClientAccessUrl: async () => {
          const response = await session.api('/api/negotiate', cookie);
          if (!response.ok) throw new Error(`negotiate answered ${response.status}: ${await response.text()}`);
          return ((await response.json()) as { url: string }).url;
        },
      },
      { autoReconnect: false, messageRetryOptions: { maxRetries: 0 }, ...options.client },
    );
    // The app's group sends are REST sends, so they arrive as server messages like the replies to events.
    this.client.on('server-message', (event) => {
      const data = event.message.data;
      if (typeof data === 'string') this.notices.push(data);
      else if ((data as { type?: string }).type === 'chat') this.chats.push(data as ChatMessage);
      else this.waiting.shift()?.(data as Reply);
    });
    this.client.on('connected', (event) => {
      this.connectionId = event.connectionId;
    });
    this.client.on('disconnected', (event) => {
      this.disconnectReason = event.message?.message ?? this.disconnectReason;
    });
  }

  /**
   * Sends a user event and resolves with the app's reply. The service delivers one connection's events upstream
   * in order, so replies come back in the order the events were sent.
   */
  async send(event: string, data: Record<string, unknown>, timeoutMs = 15_000): Promise<Reply> {
    let deliver: (reply: Reply) => void = () => {};
    const reply = new Promise<Reply>((resolve) => {
      deliver = resolve;
    });
    this.waiting.push(deliver);
    const unqueue = () => this.waiting.splice(this.waiting.indexOf(deliver), 1);
    try {
      await this.client.sendEvent(event, data, 'json');
    } catch (error) {
      unqueue();
      throw error;
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        unqueue();
        reject(new Error(`${this.userId}: no reply to '${event}' in ${timeoutMs} ms`));
      }, timeoutMs);
    });
    return Promise.race([reply, timeout]).finally(() => clearTimeout(timer));
  }

  join(room: string): Promise<Reply> {
    return this.send('join', { room });
  }

  chat(room: string, text: string): Promise<Reply> {
    return this.send('chat', { room, text });
  }

  stop(): void {
    this.client.stop();
  }
}
