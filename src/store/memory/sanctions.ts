import type { Sanction, SanctionKind, SanctionScope, SanctionStore } from '../types.js';

const sanctionKey = (kind: SanctionKind, userId: string, scope: SanctionScope) => `${userId}\u0000${kind}:${scope}`;

export class MemorySanctionStore implements SanctionStore {
  private readonly sanctions = new Map<string, Sanction>();

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
}
