import type { TextAnalyzer } from './ai/content-safety.js';
import { createClients } from './clients.js';
import { UpstreamAuthenticator } from './events/authenticate.js';
import { UserPaces } from './events/user-pace.js';
import { PrincipalReader } from './http/principal.js';
import { StatsRecorder } from './insights/stats-recorder.js';
import { createModerator, type Moderator } from './moderation/index.js';
import type { WebPubSubOperations } from './ports/web-pubsub.js';
import { RulesCache } from './rules/rules-cache.js';
import { loadSettings, messageRetentionMs, type Settings } from './settings.js';
import { tableStores } from './store/table/stores.js';
import type { ModerationStores } from './store/types.js';

/** What the app talks to: Web PubSub, its stores and (optionally) Content Safety. Azure's, or in-memory in tests. */
export interface AppPorts extends ModerationStores {
  webPubSub: WebPubSubOperations;
  /** Only where CONTENT_SAFETY_ENDPOINT is set. */
  contentSafety: TextAnalyzer | undefined;
}

/** Everything a function needs, built once per process and reused across invocations (clients keep connections). */
export interface App extends AppPorts {
  settings: Settings;
  moderator: Moderator;
  upstream: UpstreamAuthenticator;
  /** Who calls the HTTP API: a bearer token for the API, or the platform's session. */
  principals: PrincipalReader;
  /** Each user's counters per room (rate, flood, slow mode, strikes), shared by all their connections, and lines. */
  paces: UserPaces;
  /** Moderators' rules, room settings and sanctions as the event handler sees them (cached, see RulesCache). */
  rules: RulesCache;
  /** Counts lines for the insights in memory and writes them in batches (`stats`). */
  insights: StatsRecorder;
  now: () => Date;
}

/** The ports in Azure: the SDK clients with managed identity, and Table Storage. */
export function azurePorts(settings: Settings): AppPorts {
  const clients = createClients(settings);
  return {
    webPubSub: clients.webPubSub,
    ...tableStores(clients.tables),
    contentSafety: clients.contentSafety,
  };
}

export function createApp(settings: Settings, ports: AppPorts = azurePorts(settings), now = () => new Date()): App {
  return {
    ...ports,
    settings,
    moderator: createModerator(settings.moderation),
    upstream: new UpstreamAuthenticator(settings.upstream),
    principals: new PrincipalReader(settings),
    paces: new UserPaces(ports.counters, messageRetentionMs(settings)),
    rules: new RulesCache(ports, {
      ttlMs: settings.rulesCacheSeconds * 1000,
      now,
      warn: (message) => console.warn(message),
    }),
    insights: new StatsRecorder(ports.stats, { now, warn: (message) => console.warn(message) }),
    now,
  };
}

let current: App | undefined;

/** The process's app, created from the environment on first use so a bad setting fails the call, not the host. */
export function getApp(): App {
  current ??= createApp(loadSettings(process.env));
  return current;
}
