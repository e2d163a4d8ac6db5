import type { ModerationStores } from '../types.js';
import { MemoryAuditStore } from './audit.js';
import { MemoryConfigurationStore } from './configuration.js';
import { MemoryCounterStore } from './counters.js';
import { MemoryMessageStore } from './messages.js';
import { MemoryPresenceStore } from './presence.js';
import { MemorySanctionStore } from './sanctions.js';
import { MemoryStatsStore } from './stats.js';

/**
 * The app's stores in one process's memory: for in-process tests of handlers, endpoints and actions, never for Azure
 * (instances share no memory). They answer as the Table Storage stores do; the store contract suite
 * (`test/e2e/store-contract.test.ts`) runs against both.
 */
export function memoryStores(): ModerationStores {
  return {
    sanctions: new MemorySanctionStore(),
    configuration: new MemoryConfigurationStore(),
    presence: new MemoryPresenceStore(),
    messages: new MemoryMessageStore(),
    audit: new MemoryAuditStore(),
    counters: new MemoryCounterStore(),
    stats: new MemoryStatsStore(),
  };
}
