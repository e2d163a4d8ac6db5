import { randomBytes } from 'node:crypto';
import type {
  AuditEntry,
  AuditPage,
  ListRuleRecord,
  MessageRecord,
  ModerationStore,
  PresenceEntry,
  QueueItem,
  QueueReport,
  RoomSettingsRecord,
  Sanction,
  SanctionKind,
  SanctionScope,
} from './types.js';

/** Reports a queue item keeps, as the Table store keeps them. */
const maxReports = 50;

/**
 * The moderation store in one process's memory: for in-process tests of handlers, endpoints and actions, and for
 * nothing that runs in Azure (instances share no memory). It answers as the Table Storage store does; the store
 * contract suite (`test/e2e/store-contract.test.ts`) runs against both.
 */
export class MemoryModerationStore implements ModerationStore {
  private readonly sanctions = new Map<string, Sanction>();
  private configVersion = 'initial';
  private readonly roomSettings = new Map<string, RoomSettingsRecord>();
  private readonly rules = new Map<string, ListRuleRecord>();
  private readonly messages = new Map<string, MessageRecord>();
  private readonly queue = new Map<string, QueueItem>();
  /** Newest last; ids sort as the Table store's do (inverted time, then a random suffix). */
  private readonly audit: AuditEntry[] = [];
  private readonly presence = new Map<string, PresenceEntry>();

  async getSanction(kind: SanctionKind, userId: string, scope: SanctionScope, now: Date) {
    const sanction = this.sanctions.get(sanctionKey(kind, userId, scope));
    return sanction && sanction.until > now ? { ...sanction } : undefined;
  }

  async putSanction(sanction: Sanction): Promise<void> {
    this.sanctions.set(sanctionKey(sanction.kind, sanction.userId, sanction.scope), { ...sanction });
  }

  async deleteSanction(kind: SanctionKind, userId: string, scope: SanctionScope): Promise<boolean> {
    return this.sanctions.delete(sanctionKey(kind, userId, scope));
  }

  async listSanctions(now: Date, kind?: SanctionKind): Promise<Sanction[]> {
    return [...this.sanctions.values()]
      .filter((sanction) => sanction.until > now && (!kind || sanction.kind === kind))
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .map((sanction) => ({ ...sanction }));
  }

  async getConfigVersion(): Promise<string> {
    return this.configVersion;
  }

  async bumpConfigVersion(): Promise<void> {
    this.configVersion = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  }

  async listRoomSettings(): Promise<RoomSettingsRecord[]> {
    return [...this.roomSettings.values()].map((settings) => ({ ...settings }));
  }

  async getRoomSettings(room: string): Promise<RoomSettingsRecord | undefined> {
    const settings = this.roomSettings.get(room);
    return settings && { ...settings };
  }

  async putRoomSettings(settings: RoomSettingsRecord): Promise<void> {
    this.roomSettings.set(settings.room, { ...settings });
  }

  async listRules(): Promise<ListRuleRecord[]> {
    return [...this.rules.values()].map((rule) => ({ ...rule }));
  }

  async addRule(rule: ListRuleRecord): Promise<void> {
    const id = `${rule.scope}/${rule.id}`;
    // As Table Storage's insert: an existing row is a conflict.
    if (this.rules.has(id)) throw new Error(`The rule ${rule.id} exists already in ${rule.scope}.`);
    this.rules.set(id, { ...rule });
  }

  async deleteRule(scope: ListRuleRecord['scope'], id: string): Promise<boolean> {
    return this.rules.delete(`${scope}/${id}`);
  }

  async recordMessage(message: MessageRecord): Promise<void> {
    this.messages.set(`${message.room}.${message.id}`, { ...message });
  }

  async getMessage(room: string, id: string, now: Date): Promise<MessageRecord | undefined> {
    const message = this.messages.get(`${room}.${id}`);
    return message && message.expiresAt > now ? { ...message } : undefined;
  }

  async deleteMessage(room: string, id: string): Promise<void> {
    this.messages.delete(`${room}.${id}`);
  }

  async enqueue(
    message: MessageRecord,
    addition: { rules?: string[]; report?: QueueReport },
    now: Date,
  ): Promise<QueueItem> {
    const id = `${message.room}.${message.id}`;
    const current = this.queue.get(id);
    const item: QueueItem = {
      id,
      room: message.room,
      messageId: message.id,
      from: message.from,
      connectionId: message.connectionId,
      text: message.text,
      ts: message.ts,
      rules: [...new Set([...(current?.rules ?? []), ...(addition.rules ?? [])])],
      reports: [...(current?.reports ?? []), ...(addition.report ? [addition.report] : [])].slice(-maxReports),
      createdAt: current?.createdAt ?? now,
    };
    this.queue.set(id, item);
    return { ...item };
  }

  async getQueueItem(id: string): Promise<QueueItem | undefined> {
    const item = this.queue.get(id);
    return item && { ...item };
  }

  async listQueue({ room, limit }: { room?: string; limit: number }): Promise<QueueItem[]> {
    return [...this.queue.values()]
      .filter((item) => !room || item.room === room)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .slice(0, limit)
      .map((item) => ({ ...item }));
  }

  async deleteQueueItem(id: string): Promise<void> {
    this.queue.delete(id);
  }

  async appendAudit(entry: Omit<AuditEntry, 'id'>): Promise<AuditEntry> {
    const inverted = String(9_999_999_999_999 - entry.at.getTime()).padStart(13, '0');
    const stored: AuditEntry = { ...entry, id: `m.${inverted}-${randomBytes(6).toString('hex')}` };
    this.audit.push(stored);
    return { ...stored };
  }

  async listAudit({ limit, before }: { limit: number; before?: string }): Promise<AuditPage> {
    const sorted = [...this.audit].sort((a, b) => a.id.localeCompare(b.id));
    const newer = before ? sorted.filter((entry) => entry.id > before) : sorted;
    const entries = newer.slice(0, limit).map((entry) => ({ ...entry }));
    const last = entries.at(-1);
    return newer.length > limit && last ? { entries, next: last.id } : { entries };
  }

  async joinRoom(entry: PresenceEntry): Promise<void> {
    this.presence.set(`${entry.room}/${entry.connectionId}`, { ...entry });
  }

  async leaveRoom(room: string, connectionId: string): Promise<void> {
    this.presence.delete(`${room}/${connectionId}`);
  }

  async getPresence(room: string, connectionId: string): Promise<PresenceEntry | undefined> {
    const entry = this.presence.get(`${room}/${connectionId}`);
    return entry && { ...entry };
  }

  async listRoom(room: string): Promise<PresenceEntry[]> {
    return [...this.presence.values()].filter((entry) => entry.room === room).map((entry) => ({ ...entry }));
  }

  async listRooms(): Promise<{ room: string; connections: number }[]> {
    const counts = new Map<string, number>();
    for (const { room } of this.presence.values()) counts.set(room, (counts.get(room) ?? 0) + 1);
    return [...counts]
      .map(([room, connections]) => ({ room, connections }))
      .sort((a, b) => a.room.localeCompare(b.room));
  }
}

const sanctionKey = (kind: SanctionKind, userId: string, scope: SanctionScope) => `${userId}\u0000${kind}:${scope}`;
