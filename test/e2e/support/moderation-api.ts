import { callApi, signIn } from './chat-client.js';

export interface ApiAnswer<T = Record<string, unknown>> {
  status: number;
  body: T;
}

/** A signed-in moderator calling the moderation API of the injected e2e stack; answers status and parsed JSON. */
export class ModeratorApi {
  private constructor(private readonly cookie: string) {}

  static async signIn(userId: string): Promise<ModeratorApi> {
    return new ModeratorApi(await signIn(userId, ['moderator']));
  }

  async call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<ApiAnswer<T>> {
    const response = await callApi(path, this.cookie, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as T };
  }

  get<T = Record<string, unknown>>(path: string): Promise<ApiAnswer<T>> {
    return this.call<T>('GET', path);
  }

  post<T = Record<string, unknown>>(path: string, body: unknown): Promise<ApiAnswer<T>> {
    return this.call<T>('POST', path, body);
  }

  put<T = Record<string, unknown>>(path: string, body: unknown): Promise<ApiAnswer<T>> {
    return this.call<T>('PUT', path, body);
  }

  delete(path: string): Promise<ApiAnswer> {
    return this.call('DELETE', path);
  }

  /** The newest audit entries (up to 200). */
  async audit(): Promise<AuditRow[]> {
    return (await this.get<{ entries: AuditRow[] }>('/api/moderate/audit?limit=200')).body.entries;
  }
}

export interface AuditRow {
  action: string;
  actor: string;
  outcome: string;
  target?: string;
  room?: string;
  rule?: string;
  reason?: string;
}

/** A room name no other test uses. */
export const uniqueRoom = (prefix: string): string => `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
