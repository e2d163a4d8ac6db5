/**
 * The client-facing wire shapes, defined once: what chat clients receive over Web PubSub (replies to their events,
 * chat lines, notices) and the JSON bodies of the HTTP API. The server builds them; the pages and the tests import
 * them type-only. Times are ISO 8601 strings on the wire.
 */

import type { ModerationRule } from './moderation/index.js';
import type {
  ListRuleRecord,
  PresenceEntry,
  SanctionKind,
  AuditEntry as StoredAuditEntry,
  QueueItem as StoredQueueItem,
  Sanction as StoredSanction,
} from './store/types.js';

/** A stored record as JSON carries it: its dates as ISO strings. */
type OnTheWire<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] };

// --- Over Web PubSub --------------------------------------------------------------------------------------------

/**
 * Every rule a refusal can name: the policy's, and those the event handler adds (`not-in-room`, sanctions, Content
 * Safety's `ai:<Category>` and `ai-unavailable`).
 */
export type RefusalRule = ModerationRule | 'not-in-room' | 'banned' | 'ai-unavailable' | `ai:${string}`;

/** A chat line as the app sends it to a room. */
export interface ChatLine {
  type: 'chat';
  id: string;
  room: string;
  from: string;
  text: string;
  ts: string;
}

/**
 * The app's answer to one user event. `rule` is one of the policy's names (`profanity`, `slow-mode`, `links`…),
 * `list:<id>` or `ai:<Category>`; never a list's content.
 */
export type AppReply =
  | { type: 'joined'; room: string; url: string }
  | { type: 'accepted'; id: string }
  | {
      type: 'refused';
      rule: string;
      message: string;
      /** Set when a join was refused (a room ban). */
      room?: string;
      /** The user's strikes so far, not what this refusal cost. */
      strikes?: number;
      action?: 'none' | 'mute' | 'evict';
    }
  | { type: 'reported'; messageId: string; queueId: string }
  | {
      type: 'error';
      code: 'NotDelivered' | 'JoinFailed' | 'UnknownMessage' | 'UnknownEvent' | 'TooManyReports';
      message: string;
      /** NotDelivered: the line that was not delivered. */
      id?: string;
      /** JoinFailed: the room not joined. */
      room?: string;
      /** UnknownMessage: the message reported. */
      messageId?: string;
    };

/** A moderator deleted a message for everyone in its room. */
export interface DeletedNotice {
  type: 'deleted';
  id: string;
  room: string;
}

/** The user was banned from a room (an app-wide ban closes the connection instead). */
export interface RoomBanNotice {
  type: 'banned';
  room: string;
  until: string;
  reason: string;
}

/**
 * To the moderators' consoles only (the group that `GET /api/negotiate?console=true` puts a moderator's connection
 * in): the review queue changed, so the console reads it again now instead of at its next poll.
 */
export interface QueueChangedNotice {
  type: 'queue-changed';
  change: 'added' | 'decided';
  /** The queue item, `<room>.<messageId>`. */
  id: string;
  room: string;
}

/** Everything the app sends to chat clients that is not a reply. */
export type AppNotice = ChatLine | DeletedNotice | RoomBanNotice | QueueChangedNotice;

// --- HTTP API bodies --------------------------------------------------------------------------------------------

export interface Negotiated {
  url: string;
  userId: string;
  expiresAt: string;
}

export interface RoomSummary {
  room: string;
  connections: number;
}

/** One connection in a room's roster. */
export type RoomConnection = OnTheWire<PresenceEntry>;

export interface EvictRequest {
  connectionId: string;
  permission: 'sendToGroup' | 'joinLeaveGroup';
  room?: string;
  reason?: string;
  banMinutes?: number;
}

export interface EvictResult {
  revokeStatus: number;
  closeStatus: number;
  bannedUntil?: string;
}

export type { SanctionKind } from './store/types.js';

/** A mute, ban or shadow ban in force; `scope` is `app` or `room:<room>` (mutes are always per room). */
export type Sanction = OnTheWire<Omit<StoredSanction, 'kind'>>;

export interface SanctionRequest {
  userId: string;
  /** Required for a mute; without it a ban or shadow ban is app-wide. */
  room?: string;
  minutes?: number;
  reason?: string;
}

export interface RoomSettings {
  room: string;
  slowModeSeconds: number;
  /** The room's own limit; absent when the app's applies. */
  maxLength?: number;
  effectiveMaxLength: number;
  linksAllowed: boolean;
  updatedBy?: string;
  updatedAt?: string;
}

export interface RoomSettingsRequest {
  slowModeSeconds: number;
  maxLength?: number;
  linksAllowed: boolean;
}

export type RuleKind = ListRuleRecord['kind'];
export type RuleAction = ListRuleRecord['action'];

/** A moderator's list rule; `scope` is `global` or `room:<room>`. */
export type ListRule = OnTheWire<ListRuleRecord>;

export interface RuleRequest {
  kind: RuleKind;
  pattern: string;
  action: RuleAction;
  room?: string;
}

export type { QueueReport } from './store/types.js';

/** A flagged or reported message waiting for a moderator. */
export type QueueItem = OnTheWire<StoredQueueItem>;

export type QueueAction = 'dismiss' | 'delete' | 'mute' | 'ban';

/** `GET /api/moderate/users/{userId}`: what the console's person page shows. */
export interface UserProfile {
  userId: string;
  /** Strikes and mutes by room, from the user's counters (strikes are forgotten after the decay time). */
  rooms: { room: string; strikes: number; mutedUntil?: string }[];
  /** Sanctions in force (bans, mutes, shadow bans). */
  sanctions: (Sanction & { kind: SanctionKind })[];
  /** The user's open connections. */
  connections: { connectionId: string; connectedAt: string }[];
  /** The newest audit entries naming the user, as target or actor: refusals, reports, sanctions and their lifting. */
  audit: AuditEntry[];
  /** The user's lines in the review queue. */
  queued: QueueItem[];
  /** Their latest lines in each room (up to 20 a room, within the message retention), newest first. */
  lines: UserLine[];
}

/**
 * One of a user's latest lines as their row in the room keeps it: delivered to the room, delivered to them alone
 * (shadow ban), delivered and flagged for review, or refused; texts are clipped at 300 characters. Lines refused
 * before the policy (bans, mutes), by Content Safety, or without changing the user's counters (slow mode, while muted
 * by the policy) are in the audit instead.
 */
export interface UserLine {
  room: string;
  /** A delivered line's message id. */
  id?: string;
  text: string;
  ts: string;
  outcome: 'delivered' | 'shadow' | 'flagged' | 'refused';
  /** The rule that refused it, or the list rules that flagged it. */
  rules?: string[];
}

/** A line of the room around a queued one, as the review queue shows it. */
export interface ContextLine {
  id: string;
  from: string;
  text: string;
  ts: string;
}

/** A line a search found. */
export interface FoundLine extends UserLine {
  from: string;
}

/** `GET /api/moderate/messages?q=&user=&room=&minutes=`: recent lines that match, newest first, and where it looked. */
export interface MessageSearch {
  /** The rooms whose lines were read (with `user` and no `room`: the rooms the user has lines in). */
  rooms: string[];
  lines: FoundLine[];
}

/** `GET /api/moderate/queue/{id}/context`: the room's lines just before and after the queued one, oldest first. */
export interface QueueContext {
  id: string;
  before: ContextLine[];
  after: ContextLine[];
}

export interface QueueDecision {
  action: QueueAction;
  minutes?: number;
  reason?: string;
  /** For `ban`: the message's room (the default) or the whole app. */
  scope?: 'room' | 'app';
}

export interface QueueDecisionResult {
  id: string;
  action: QueueAction;
  until?: string;
}

export type AuditEntry = OnTheWire<StoredAuditEntry>;

export interface AuditPage {
  entries: AuditEntry[];
  next?: string;
}

/** One point of an insights series: a minute (window `hour`) or an hour (window `day`). */
export interface StatsPoint {
  /** The point's start, ISO 8601. */
  start: string;
  delivered: number;
  refused: number;
  /** Refusals by rule (`profanity`, `rate`, `list:<id>`…). */
  refusedByRule: Record<string, number>;
  flagged: number;
  reported: number;
}

/** `GET /api/moderate/stats?room=&window=hour|day`. */
export interface StatsSummary {
  window: 'hour' | 'day';
  room?: string;
  /** 60 one-minute points (hour) or 24 one-hour points (day), oldest first, ending with the current one. */
  series: StatsPoint[];
  /** The rooms with the most delivered lines in the window, at most 10. */
  busiestRooms: { room: string; delivered: number; refused: number }[];
  /** The users refused most often in the window, at most 10 (each instance reports its top 20 per room and minute). */
  topRefused: { userId: string; refusals: number }[];
}

export interface AnnounceResult {
  token: string;
  broadcastStatus: number;
}

/** Every error body: what was wrong, by a stable code and in words. */
export interface ErrorBody {
  code: string;
  message: string;
}
