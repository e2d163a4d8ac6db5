import type { ModerationStores } from '../types.js';
import { TableAuditStore } from './audit.js';
import { TableConfigurationStore } from './configuration.js';
import { TableCounterStore } from './counters.js';
import { TableMessageStore } from './messages.js';
import { TablePresenceStore } from './presence.js';
import type { ModerationTables } from './rows.js';
import { TableSanctionStore } from './sanctions.js';
import { TableStatsStore } from './stats.js';

export type { ModerationTables } from './rows.js';

/** The app's stores in Table Storage, each over the tables of its area. */
export function tableStores(tables: ModerationTables): ModerationStores {
  return {
    sanctions: new TableSanctionStore(tables),
    configuration: new TableConfigurationStore(tables),
    presence: new TablePresenceStore(tables),
    messages: new TableMessageStore(tables),
    audit: new TableAuditStore(tables),
    counters: new TableCounterStore(tables),
    stats: new TableStatsStore(tables),
  };
}
