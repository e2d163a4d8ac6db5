import { randomBytes } from 'node:crypto';
import type { AuditEntry, AuditPage, AuditStore } from '../types.js';

export class MemoryAuditStore implements AuditStore {
  /** Ids sort as the Table store's do: inverted time, then a random suffix. */
  private readonly entries: AuditEntry[] = [];

  async appendAudit(entry: Omit<AuditEntry, 'id'>): Promise<AuditEntry> {
    const inverted = String(9_999_999_999_999 - entry.at.getTime()).padStart(13, '0');
    const stored: AuditEntry = { ...entry, id: `m.${inverted}-${randomBytes(6).toString('hex')}` };
    this.entries.push(stored);
    return { ...stored };
  }

  async listAudit({ limit, before }: { limit: number; before?: string }): Promise<AuditPage> {
    const sorted = [...this.entries].sort((a, b) => a.id.localeCompare(b.id));
    const older = before ? sorted.filter((entry) => entry.id > before) : sorted;
    const entries = older.slice(0, limit).map((entry) => ({ ...entry }));
    const last = entries.at(-1);
    return older.length > limit && last ? { entries, next: last.id } : { entries };
  }

  async listAuditFor(userId: string, limit: number): Promise<AuditEntry[]> {
    return [...this.entries]
      .filter((entry) => entry.target === userId || entry.actor === userId)
      .sort((a, b) => a.id.localeCompare(b.id))
      .slice(0, limit)
      .map((entry) => ({ ...entry }));
  }
}
