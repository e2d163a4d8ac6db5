import { type CompiledList, compileList, type RoomContext } from '../moderation/index.js';
import { roomScope } from '../scope.js';
import type { ListRuleRecord, ModerationStores, Sanction, SanctionKind } from '../store/types.js';

/** Where the rules come from: what moderators configure, and the sanctions in force. */
export type RulesSource = Pick<ModerationStores, 'configuration' | 'sanctions'>;

export interface RulesCacheOptions {
  /** How long a snapshot is used before the configuration version is read again. */
  ttlMs: number;
  now: () => Date;
  /** Where a failed refresh is reported while the previous snapshot keeps serving. */
  warn: (message: string) => void;
}

/** Room settings, compiled lists and sanctions in force, as of one configuration version. */
export interface RulesSnapshot {
  readonly version: string;
  /** The room's limits and lists (the global list first), for the policy. */
  room(room: string): RoomContext;
  /** The sanction of that kind on the user in this room (when given) or app-wide, if it is still in force. */
  sanction(kind: SanctionKind, userId: string, room: string | undefined, now: Date): Sanction | undefined;
}

const sanctionKey = (kind: SanctionKind, userId: string, scope: string) => `${kind}\n${userId}\n${scope}`;

async function loadSnapshot(
  store: RulesSource,
  version: string,
  now: Date,
  warn: (message: string) => void,
): Promise<RulesSnapshot> {
  const [settings, rules, sanctions] = await Promise.all([
    store.configuration.listRoomSettings(),
    store.configuration.listRules(),
    store.sanctions.listSanctions(now),
  ]);
  const rulesByScope = new Map<string, ListRuleRecord[]>();
  for (const rule of rules) {
    const scoped = rulesByScope.get(rule.scope);
    if (scoped) scoped.push(rule);
    else rulesByScope.set(rule.scope, [rule]);
  }
  // Compiled once per version: words into the trie, domains into a map, regexes into the linear-time engine. The API
  // only stores patterns that compile; a row edited by hand is skipped rather than trusted.
  const skip = (rule: { id: string }, reason: string) => warn(`rules cache: skipping regex rule ${rule.id}: ${reason}`);
  const lists = new Map<string, CompiledList>(
    [...rulesByScope].map(([scope, list]) => [scope, compileList(list, skip)]),
  );
  const limits = new Map(settings.map((record) => [record.room, record]));
  const byKey = new Map(sanctions.map((s) => [sanctionKey(s.kind, s.userId, s.scope), s]));
  const global = lists.get('global');
  return {
    version,
    room(room) {
      const record = limits.get(room);
      const own = lists.get(roomScope(room));
      return {
        ...(record
          ? {
              limits: {
                slowModeSeconds: record.slowModeSeconds,
                linksAllowed: record.linksAllowed,
                ...(record.maxLength === undefined ? {} : { maxLength: record.maxLength }),
              },
            }
          : {}),
        lists: [global, own].filter((list): list is CompiledList => list !== undefined),
      };
    },
    sanction(kind, userId, room, at) {
      for (const scope of room === undefined ? ['app'] : [roomScope(room), 'app']) {
        const found = byKey.get(sanctionKey(kind, userId, scope));
        if (found && found.until > at) return found;
      }
      return undefined;
    },
  };
}

/**
 * The event handler's view of the moderators' configuration, hung off the App (one per process). A snapshot is
 * reused for `ttlMs`; then one point read of the configuration version decides whether to reload everything. So in
 * steady state a message costs no Table read, and a change made anywhere applies within `ttlMs` (at once on the
 * instance that made it, which calls `invalidate`).
 */
export class RulesCache {
  private snapshot: RulesSnapshot | undefined;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private refreshing: Promise<RulesSnapshot> | undefined;
  /** Counts invalidations, so a refresh that began before one does not mark the cache fresh. */
  private generation = 0;

  constructor(
    private readonly store: RulesSource,
    private readonly options: RulesCacheOptions,
  ) {}

  async current(): Promise<RulesSnapshot> {
    const now = this.options.now().getTime();
    if (this.snapshot && now - this.checkedAt < this.options.ttlMs) return this.snapshot;
    this.refreshing ??= this.refresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  /** The next `current()` checks the version at once (after a change made through this process). */
  invalidate(): void {
    this.checkedAt = Number.NEGATIVE_INFINITY;
    this.generation += 1;
  }

  private async refresh(): Promise<RulesSnapshot> {
    const started = this.options.now();
    const generation = this.generation;
    try {
      const version = await this.store.configuration.getConfigVersion();
      if (this.snapshot?.version !== version)
        this.snapshot = await loadSnapshot(this.store, version, started, this.options.warn);
      if (generation === this.generation) this.checkedAt = started.getTime();
      return this.snapshot;
    } catch (error) {
      // Chat goes on with the rules it had; the next message tries again.
      if (!this.snapshot) throw error;
      this.options.warn(`rules cache: refresh failed, using version ${this.snapshot.version}: ${String(error)}`);
      return this.snapshot;
    }
  }
}
