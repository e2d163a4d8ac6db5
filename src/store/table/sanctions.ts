import { odata } from '@azure/data-tables';
import type { Sanction, SanctionKind, SanctionScope, SanctionStore } from '../types.js';
import {
  collect,
  deleteRow,
  ensureTables,
  key,
  type ModerationTables,
  type Row,
  readRow,
  text,
  unkey,
} from './rows.js';

const sanctionRowKey = (kind: SanctionKind, scope: SanctionScope) => key(`${kind}:${scope}`);
function toSanction(row: Row): Sanction {
  const [kind = 'ban', ...scope] = unkey(row.rowKey ?? '').split(':');
  return {
    kind: kind as SanctionKind,
    userId: unkey(row.partitionKey ?? ''),
    scope: scope.join(':') as SanctionScope,
    until: new Date(text(row, 'until') ?? 0),
    reason: text(row, 'reason') ?? '',
    actor: text(row, 'actor') ?? '',
    createdAt: new Date(text(row, 'createdAt') ?? 0),
  };
}

/** Bans, mutes and shadow bans: partition by user, row `<kind>:<scope>`. */
export class TableSanctionStore implements SanctionStore {
  constructor(private readonly tables: Pick<ModerationTables, 'bans'>) {}

  private ensureTables(): Promise<void> {
    return ensureTables(this.tables);
  }

  async getSanction(
    kind: SanctionKind,
    userId: string,
    scope: SanctionScope,
    now: Date,
  ): Promise<Sanction | undefined> {
    await this.ensureTables();
    const row = await readRow(this.tables.bans, key(userId), sanctionRowKey(kind, scope));
    const sanction = row && toSanction(row);
    return sanction && sanction.until > now ? sanction : undefined;
  }

  async putSanction(sanction: Sanction): Promise<void> {
    await this.ensureTables();
    await this.tables.bans.upsertEntity(
      {
        partitionKey: key(sanction.userId),
        rowKey: sanctionRowKey(sanction.kind, sanction.scope),
        until: sanction.until.toISOString(),
        reason: sanction.reason,
        actor: sanction.actor,
        createdAt: sanction.createdAt.toISOString(),
      },
      'Replace',
    );
  }

  async deleteSanction(kind: SanctionKind, userId: string, scope: SanctionScope): Promise<boolean> {
    await this.ensureTables();
    return deleteRow(this.tables.bans, key(userId), sanctionRowKey(kind, scope));
  }

  async listSanctions(now: Date, kind?: SanctionKind): Promise<Sanction[]> {
    await this.ensureTables();
    const rows = this.tables.bans.listEntities({ queryOptions: { filter: odata`until gt ${now.toISOString()}` } });
    const sanctions = (await collect(rows, toSanction)).filter((sanction) => !kind || sanction.kind === kind);
    return sanctions.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  }
}
