import { TableClient } from '@azure/data-tables';
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { WebPubSubServiceClient } from '@azure/web-pubsub';
import { ContentSafetyClient } from './ai/content-safety.js';
import type { Settings } from './settings.js';
import type { ModerationTables } from './store/table/stores.js';

export interface AppClients {
  webPubSub: WebPubSubServiceClient;
  tables: ModerationTables;
  /** Only where CONTENT_SAFETY_ENDPOINT is set. */
  contentSafety: ContentSafetyClient | undefined;
}

/** The only place SDK clients are built: managed identity for Web PubSub, and for Tables wherever it is deployed. */
export function createClients(settings: Settings, credential?: TokenCredential): AppClients {
  const identity =
    credential ??
    new DefaultAzureCredential(
      settings.managedIdentityClientId ? { managedIdentityClientId: settings.managedIdentityClientId } : {},
    );
  const webPubSub = new WebPubSubServiceClient(settings.webPubSub.endpoint, identity, settings.webPubSub.hub, {
    retryOptions: { maxRetries: 3, retryDelayInMs: 200, maxRetryDelayInMs: 2_000 },
  });
  return {
    webPubSub,
    contentSafety: settings.contentSafety && new ContentSafetyClient(settings.contentSafety, identity),
    tables: createModerationTables(settings, identity),
  };
}

/** The app's tables: `<prefix>Bans`, `<prefix>Audit`, …, with managed identity, or a connection string locally. */
export function createModerationTables(
  settings: Pick<Settings, 'tables' | 'tablePrefix'>,
  identity?: TokenCredential,
): ModerationTables {
  const table = (suffix: string) => {
    const name = `${settings.tablePrefix}${suffix}`;
    const { endpoint, connectionString } = settings.tables;
    if (!endpoint)
      return TableClient.fromConnectionString(connectionString ?? '', name, { allowInsecureConnection: true });
    if (!identity) throw new Error('TABLES_ENDPOINT is reached with managed identity: pass the credential.');
    return new TableClient(endpoint, name, identity);
  };
  return {
    bans: table('Bans'),
    audit: table('Audit'),
    presence: table('Presence'),
    rooms: table('Rooms'),
    rules: table('Rules'),
    messages: table('Messages'),
    queue: table('Queue'),
    stats: table('Stats'),
  };
}
