import type { RuleScope, SanctionScope } from '../scope.js';
import type { StepOutcome } from '../workflows/workflow-run.js';

export type { SanctionScope };
/** A ban keeps the user out (connect refuses app bans, join room bans); a mute refuses their messages in a room; a
 * shadow ban delivers their messages to themselves alone. */
export type SanctionKind = 'ban' | 'mute' | 'shadow-ban';

export interface Sanction {
  kind: SanctionKind;
  userId: string;
  scope: SanctionScope;
  until: Date;
  reason: string;
  actor: string;
  createdAt: Date;
}

/** The ban shape the API has always answered, now with its scope. */
export type Ban = Omit<Sanction, 'kind'>;

export type AuditAction =
  | 'refuse'
  | 'mute'
  | 'unmute'
  | 'evict'
  | 'ban'
  | 'unban'
  | 'shadow-ban'
  | 'unshadow-ban'
  | 'shadow-deliver'
  | 'announce'
  | 'room-settings'
  | 'add-rule'
  | 'delete-rule'
  | 'flag'
  | 'report'
  | 'dismiss'
  | 'delete-message';
export type AuditOutcome = 'succeeded' | 'failed';

export interface AuditEntry {
  id: string;
  at: Date;
  /** A moderator's user id, or `policy` for automatic actions. */
  actor: string;
  action: AuditAction;
  target?: string;
  connectionId?: string;
  room?: string;
  rule?: string;
  reason?: string;
  outcome: AuditOutcome;
  steps?: readonly StepOutcome[];
  error?: string;
}

export interface AuditPage {
  entries: AuditEntry[];
  /** Pass as `before` to read the next (older) page. */
  next?: string;
}

export interface PresenceEntry {
  room: string;
  connectionId: string;
  userId: string;
  joinedAt: Date;
}

/** A room's limits as stored, with who set them. */
export interface RoomSettingsRecord {
  room: string;
  slowModeSeconds: number;
  maxLength?: number;
  linksAllowed: boolean;
  updatedBy: string;
  updatedAt: Date;
}

/** A moderator's list rule as stored: `global` or one room's. */
export interface ListRuleRecord {
  id: string;
  kind: 'word' | 'regex' | 'domain';
  pattern: string;
  action: 'block' | 'flag';
  scope: RuleScope;
  createdBy: string;
  createdAt: Date;
}

/** A delivered message, kept (until `expiresAt`) so a report can find it and a moderator delete it. */
export interface MessageRecord {
  id: string;
  room: string;
  from: string;
  connectionId: string;
  text: string;
  ts: Date;
  expiresAt: Date;
}

export interface QueueReport {
  by: string;
  reason: string;
  at: string;
}

/**
 * A user's row in one room, as the event handler writes it on each line the policy decides: their moderation
 * counters and their latest lines (opaque JSON each; rows written before lines were kept have none).
 */
export interface PaceRow {
  pace: string;
  lines?: string;
}

/** A user's row in one room at a version (ETag). */
export interface StoredPace extends PaceRow {
  etag: string;
}

export interface UserConnection {
  connectionId: string;
  connectedAt: Date;
}

/** A flagged message waiting for a moderator: `<room>.<messageId>`. */
export interface QueueItem {
  id: string;
  room: string;
  messageId: string;
  from: string;
  connectionId: string;
  text: string;
  ts: Date;
  /** The list rules that flagged it (`list:<id>`), and the chatters' reports: each reporter's first, up to 50. */
  rules: string[];
  reports: QueueReport[];
  /** Reports counted: each listed reporter once, and every report that came after the list was full. */
  reportCount: number;
  createdAt: Date;
}

/** Bans, mutes and shadow bans. */
export interface SanctionStore {
  /** The sanction of that kind and scope in force, if any. */
  getSanction(kind: SanctionKind, userId: string, scope: SanctionScope, now: Date): Promise<Sanction | undefined>;
  putSanction(sanction: Sanction): Promise<void>;
  /** Returns false when there was none to lift. */
  deleteSanction(kind: SanctionKind, userId: string, scope: SanctionScope): Promise<boolean>;
  /** Sanctions in force, newest first (of one kind when given). */
  listSanctions(now: Date, kind?: SanctionKind): Promise<Sanction[]>;
}

/** What moderators configure: list rules and room limits, and the version that tells caches they changed. */
export interface ConfigurationStore {
  /** Changes whenever rules, room settings or sanctions change: caches compare it instead of reloading. */
  getConfigVersion(): Promise<string>;
  bumpConfigVersion(): Promise<void>;
  listRoomSettings(): Promise<RoomSettingsRecord[]>;
  getRoomSettings(room: string): Promise<RoomSettingsRecord | undefined>;
  putRoomSettings(settings: RoomSettingsRecord): Promise<void>;
  listRules(): Promise<ListRuleRecord[]>;
  addRule(rule: ListRuleRecord): Promise<void>;
  /** Returns false when there was no such rule. */
  deleteRule(scope: ListRuleRecord['scope'], id: string): Promise<boolean>;
}

/** Who is connected: rooms' rosters and each user's open connections. */
export interface PresenceStore {
  joinRoom(entry: PresenceEntry): Promise<void>;
  leaveRoom(room: string, connectionId: string): Promise<void>;
  /** The connection's entry in the room's roster: one point read. */
  getPresence(room: string, connectionId: string): Promise<PresenceEntry | undefined>;
  listRoom(room: string): Promise<PresenceEntry[]>;
  listRooms(): Promise<{ room: string; connections: number }[]>;
  /** The user's open connections, as connect registered them and disconnected removed them. */
  listConnections(userId: string): Promise<UserConnection[]>;
  registerConnection(userId: string, connection: UserConnection): Promise<void>;
  unregisterConnection(userId: string, connectionId: string): Promise<void>;
}

/** Delivered messages (for reports and deletion) and the review queue. */
export interface MessageStore {
  recordMessage(message: MessageRecord): Promise<void>;
  /**
   * A room's delivered lines within `span` of `at` (not expired, oldest first): up to `limit` before `at` and up to
   * `limit` after it, the nearest ones.
   */
  listMessagesAround(
    room: string,
    at: Date,
    options: { spanMs: number; limit: number; now: Date },
  ): Promise<{ before: MessageRecord[]; after: MessageRecord[] }>;
  /** The delivered message, unless it expired or was deleted. */
  getMessage(room: string, id: string, now: Date): Promise<MessageRecord | undefined>;
  deleteMessage(room: string, id: string): Promise<void>;
  /** Adds the rules and reports to the message's queue item, creating it if needed. */
  enqueue(message: MessageRecord, addition: { rules?: string[]; report?: QueueReport }, now: Date): Promise<QueueItem>;
  getQueueItem(id: string): Promise<QueueItem | undefined>;
  listQueue(options: { room?: string; limit: number }): Promise<QueueItem[]>;
  deleteQueueItem(id: string): Promise<void>;
}

export interface AuditStore {
  appendAudit(entry: Omit<AuditEntry, 'id'>): Promise<AuditEntry>;
  listAudit(options: { limit: number; before?: string }): Promise<AuditPage>;
  /** The newest `limit` entries naming the user as their target or their actor, newest first. */
  listAuditFor(userId: string, limit: number): Promise<AuditEntry[]>;
}

/** A user's counters, shared by all their connections on every instance. */
export interface CounterStore {
  /** The user's row in the room. */
  getPace(userId: string, room: string): Promise<StoredPace | undefined>;
  /**
   * Writes the row if it is still at `etag` (none: only if there is no row yet); the new ETag, or undefined when
   * another connection's write came first.
   */
  putPace(userId: string, room: string, row: PaceRow, etag: string | undefined): Promise<string | undefined>;
  /** The user's rows in every room they have one. */
  listPaces(userId: string): Promise<(PaceRow & { room: string })[]>;
  /** Counts one report by the user in the current window of `windowMs` and answers how many that makes. */
  countReport(userId: string, now: Date, windowMs: number): Promise<number>;
}

/**
 * One instance's counts of one room's lines in one minute (what it delivered, refused by rule, flagged, and the
 * reports it took), as it last flushed them: cumulative, so writing a bucket again replaces it.
 */
export interface StatsBucket {
  /** The minute's start. */
  minute: Date;
  room: string;
  /** The instance that counted (each writes its own rows, so no two instances write one row). */
  instance: string;
  delivered: number;
  /** Refusals by rule. */
  refused: Readonly<Record<string, number>>;
  flagged: number;
  reported: number;
  /** The users this instance refused most in the room and minute, with their refusals (at most 20). */
  refusers: Readonly<Record<string, number>>;
}

/** Moderation counters for the insights: written in batches by each instance, summed on read. */
export interface StatsStore {
  putBuckets(buckets: readonly StatsBucket[]): Promise<void>;
  /** Every bucket whose minute is in [from, to). */
  listBuckets(from: Date, to: Date): Promise<StatsBucket[]>;
}

/** Every store the app uses, one per area: Table Storage in Azure, in memory in in-process tests. */
export interface ModerationStores {
  sanctions: SanctionStore;
  configuration: ConfigurationStore;
  presence: PresenceStore;
  messages: MessageStore;
  audit: AuditStore;
  counters: CounterStore;
  stats: StatsStore;
}
