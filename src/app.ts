import { type AppClients, createClients } from './clients.js';
import { UpstreamAuthenticator } from './events/authenticate.js';
import { UserPaces } from './events/user-pace.js';
import { PrincipalReader } from './http/principal.js';
import { createModerator, type Moderator } from './moderation/index.js';
import { RulesCache } from './rules/rules-cache.js';
import { loadSettings, type Settings } from './settings.js';
import { TableModerationStore } from './store/table-store.js';
import type { ModerationStore } from './store/types.js';

/** Everything a function needs, built once per process and reused across invocations (clients keep connections). */
export interface App {
  settings: Settings;
  clients: AppClients;
  store: ModerationStore;
  moderator: Moderator;
  upstream: UpstreamAuthenticator;
  /** Who calls the HTTP API: a bearer token for the API, or the platform's session. */
  principals: PrincipalReader;
  /** Each user's counters per room (rate, flood, slow mode, strikes), shared by all their connections. */
  paces: UserPaces;
  /** Moderators' rules, room settings and sanctions as the event handler sees them (cached, see RulesCache). */
  rules: RulesCache;
  now: () => Date;
}

export function createApp(settings: Settings, clients: AppClients = createClients(settings)): App {
  const store = new TableModerationStore(clients.tables);
  const now = () => new Date();
  return {
    settings,
    clients,
    store,
    moderator: createModerator(settings.moderation),
    upstream: new UpstreamAuthenticator(settings.upstream),
    principals: new PrincipalReader(settings),
    paces: new UserPaces(store),
    rules: new RulesCache(store, {
      ttlMs: settings.rulesCacheSeconds * 1000,
      now,
      warn: (message) => console.warn(message),
    }),
    now,
  };
}

let current: App | undefined;

/** The process's app, created from the environment on first use so a bad setting fails the call, not the host. */
export function getApp(): App {
  current ??= createApp(loadSettings(process.env));
  return current;
}
