import type { StepOutcome } from '../workflows/workflow-run.js';

export interface Ban {
  userId: string;
  until: Date;
  reason: string;
  actor: string;
  createdAt: Date;
}

export type AuditAction = 'refuse' | 'mute' | 'evict' | 'ban' | 'unban' | 'announce';
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

export interface ModerationStore {
  getBan(userId: string, now: Date): Promise<Ban | undefined>;
  putBan(ban: Ban): Promise<void>;
  /** Returns false when there was no ban to lift. */
  deleteBan(userId: string): Promise<boolean>;
  listBans(now: Date): Promise<Ban[]>;
  appendAudit(entry: Omit<AuditEntry, 'id'>): Promise<AuditEntry>;
  listAudit(options: { limit: number; before?: string }): Promise<AuditPage>;
  joinRoom(entry: PresenceEntry): Promise<void>;
  leaveRoom(room: string, connectionId: string): Promise<void>;
  listRoom(room: string): Promise<PresenceEntry[]>;
  listRooms(): Promise<{ room: string; connections: number }[]>;
}
