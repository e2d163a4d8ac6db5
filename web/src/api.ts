import type { PageConfig } from './config.js';

export interface Principal {
  userId: string;
  roles: string[];
}

import type {
  AnnounceResult,
  AuditPage,
  EvictRequest,
  EvictResult,
  ListRule,
  MessageSearch,
  Negotiated,
  QueueContext,
  QueueDecision,
  QueueDecisionResult,
  QueueItem,
  RoomConnection,
  RoomSettings,
  RoomSettingsRequest,
  RoomSummary,
  RuleRequest,
  Sanction,
  SanctionKind,
  SanctionRequest,
  StatsSummary,
  UserProfile,
} from '../../src/contracts.js';

/** The API's wire shapes, for the pages that import them from here. */
export type * from '../../src/contracts.js';

/** An answer other than 2xx, with the app's `{ code, message }` when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const roleClaimTypes = new Set(['roles', 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role']);

/** The app over HTTP: App Service Authentication pages and the Functions API, always with the session cookie. */
export class AppApi {
  constructor(private readonly config: PageConfig) {}

  url(path: string): string {
    return `${this.config.apiBaseUrl}${path}`;
  }

  /** Where the browser goes to sign in; `userId` and `roles` only mean something to the local `dev` provider. */
  loginUrl(returnTo: string, devUser?: { userId: string; roles?: string[] }): string {
    const url = new URL(this.url(`/.auth/login/${encodeURIComponent(this.config.loginProvider)}`));
    if (devUser) {
      url.searchParams.set('userId', devUser.userId);
      if (devUser.roles?.length) url.searchParams.set('roles', devUser.roles.join(','));
    }
    url.searchParams.set('post_login_redirect_uri', this.redirectTarget(returnTo));
    return url.href;
  }

  logoutUrl(returnTo: string): string {
    const url = new URL(this.url('/.auth/logout'));
    url.searchParams.set('post_logout_redirect_uri', this.redirectTarget(returnTo));
    return url.href;
  }

  get usesDevLogin(): boolean {
    return this.config.loginProvider === 'dev';
  }

  /** The signed-in user, or undefined when nobody is. */
  async me(): Promise<Principal | undefined> {
    try {
      const [identity] =
        await this.request<{ user_id: string; user_claims?: { typ: string; val: string }[] }[]>('/.auth/me');
      if (!identity) return undefined;
      const roles = (identity.user_claims ?? []).filter((c) => roleClaimTypes.has(c.typ)).map((c) => c.val);
      return { userId: identity.user_id, roles };
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return undefined;
      throw error;
    }
  }

  /** `forConsole`: a moderator's connection, also in the moderators' group (live queue updates). */
  negotiate(forConsole = false): Promise<Negotiated> {
    return this.request(forConsole ? '/api/negotiate?console=true' : '/api/negotiate');
  }

  stats(window: StatsSummary['window'], room?: string): Promise<StatsSummary> {
    const query = new URLSearchParams({ window, ...(room ? { room } : {}) });
    return this.request(`/api/moderate/stats?${query}`);
  }

  async rooms(): Promise<RoomSummary[]> {
    return (await this.request<{ rooms: RoomSummary[] }>('/api/moderate/rooms')).rooms;
  }

  async roomConnections(room: string): Promise<RoomConnection[]> {
    const path = `/api/moderate/rooms/${encodeURIComponent(room)}/connections`;
    return (await this.request<{ connections: RoomConnection[] }>(path)).connections;
  }

  evict(body: EvictRequest): Promise<EvictResult> {
    return this.request('/api/moderate/evict', jsonBody('POST', body));
  }

  async sanctions(kind: SanctionKind): Promise<Sanction[]> {
    const { path, listName } = sanctionRoutes[kind];
    const body = await this.request<Record<string, Sanction[] | undefined>>(`/api/moderate/${path}`);
    return body[listName] ?? [];
  }

  impose(kind: SanctionKind, body: SanctionRequest): Promise<Sanction> {
    return this.request(`/api/moderate/${sanctionRoutes[kind].path}`, jsonBody('POST', body));
  }

  /** Lifts the sanction of `userId` in `room`, or the app-wide one without a room. */
  async lift(kind: SanctionKind, userId: string, room?: string): Promise<void> {
    const query = room ? `?${new URLSearchParams({ room })}` : '';
    const path = `/api/moderate/${sanctionRoutes[kind].path}/${encodeURIComponent(userId)}${query}`;
    await this.request(path, { method: 'DELETE' });
  }

  roomSettings(room: string): Promise<RoomSettings> {
    return this.request(`/api/moderate/rooms/${encodeURIComponent(room)}/settings`);
  }

  putRoomSettings(room: string, body: RoomSettingsRequest): Promise<RoomSettings> {
    return this.request(`/api/moderate/rooms/${encodeURIComponent(room)}/settings`, jsonBody('PUT', body));
  }

  async rules(): Promise<ListRule[]> {
    return (await this.request<{ rules: ListRule[] }>('/api/moderate/rules')).rules;
  }

  addRule(body: RuleRequest): Promise<ListRule> {
    return this.request('/api/moderate/rules', jsonBody('POST', body));
  }

  async deleteRule(id: string): Promise<void> {
    await this.request(`/api/moderate/rules/${encodeURIComponent(id)}`, { method: 'DELETE' });
  }

  async queue(limit: number): Promise<QueueItem[]> {
    return (await this.request<{ items: QueueItem[] }>(`/api/moderate/queue?limit=${limit}`)).items;
  }

  /** Recent lines: in a room, by a user across rooms, or in the busiest rooms when neither is given. */
  searchMessages(query: { q?: string; user?: string; room?: string; minutes?: number }): Promise<MessageSearch> {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, String(value));
    return this.request(`/api/moderate/messages?${params}`);
  }

  user(userId: string): Promise<UserProfile> {
    return this.request(`/api/moderate/users/${encodeURIComponent(userId)}`);
  }

  queueContext(id: string): Promise<QueueContext> {
    return this.request(`/api/moderate/queue/${encodeURIComponent(id)}/context`);
  }

  decide(id: string, decision: QueueDecision): Promise<QueueDecisionResult> {
    return this.request(`/api/moderate/queue/${encodeURIComponent(id)}`, jsonBody('POST', decision));
  }

  audit(limit: number, before?: string): Promise<AuditPage> {
    const query = new URLSearchParams({ limit: String(limit) });
    if (before) query.set('before', before);
    return this.request(`/api/moderate/audit?${query}`);
  }

  announce(message: string, room?: string): Promise<AnnounceResult> {
    return this.request('/api/announce', jsonBody('POST', room ? { message, room } : { message }));
  }

  private async request<T>(path: string, init: RequestInit = {}): Promise<T> {
    const response = await fetch(this.url(path), {
      ...init,
      credentials: 'include',
      headers: { accept: 'application/json', ...init.headers },
    });
    if (!response.ok) throw await apiError(response);
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  /** Easy Auth redirects to a path on its own origin; pages hosted elsewhere need their full URL (allow-listed). */
  private redirectTarget(returnTo: string): string {
    const target = new URL(returnTo, window.location.href);
    return target.origin === new URL(this.config.apiBaseUrl).origin
      ? `${target.pathname}${target.search}`
      : target.href;
  }
}

/** Where each kind of sanction lives in the API, and the property its list answers in. */
const sanctionRoutes: Record<SanctionKind, { path: string; listName: string }> = {
  mute: { path: 'mutes', listName: 'mutes' },
  ban: { path: 'bans', listName: 'bans' },
  'shadow-ban': { path: 'shadow-bans', listName: 'shadowBans' },
};

function jsonBody(method: 'POST' | 'PUT', body: unknown): RequestInit {
  return { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

async function apiError(response: Response): Promise<ApiError> {
  const body = (await response.json().catch(() => undefined)) as { code?: unknown; message?: unknown } | undefined;
  const code = typeof body?.code === 'string' ? body.code : `Http${response.status}`;
  const message = typeof body?.message === 'string' ? body.message : `The app answered ${response.status}.`;
  return new ApiError(response.status, code, message);
}
