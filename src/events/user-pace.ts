import {
  type ConnectionModerationState,
  connectionModerationStateSchema,
  initialModerationState,
} from '../moderation/index.js';
import type { CounterStore } from '../store/types.js';
import { decodeLines, type KeptLine, keepLine } from './user-lines.js';

/** Rows remembered at most; beyond it the oldest goes first, and is read again when next needed. */
const maxRememberedPaces = 10_000;

/** A user's counters and latest lines in a room as last read or written, with the row's ETag (none: no row yet). */
export interface UserPace {
  state: ConnectionModerationState;
  /** `state` as stored, to tell whether a decision changed it. */
  encoded: string;
  lines: readonly KeptLine[];
  etag: string | undefined;
}

/** No ETag: written, it creates the row, and fails when the user has one after all. */
const presumedNewState = initialModerationState();
const presumedNew: UserPace = {
  state: presumedNewState,
  encoded: JSON.stringify(presumedNewState),
  lines: [],
  etag: undefined,
};

/**
 * A user's counters in a room (rate, flood, slow mode, strikes), shared by every connection of theirs on every
 * instance: one Table row per user and room, written with its ETag, so two connections cannot both spend one budget
 * and reconnecting starts from where the user was. The row also keeps the user's latest lines there, for moderators:
 * it is written on each accepted line anyway, so they cost no write of their own. This instance remembers the rows
 * it last read or wrote (a bounded map), so a line costs one conditional write and no read (a user's first line in a
 * room here, one create); when another connection or instance wrote in between, the write fails on the ETag and the
 * caller reads the row again and decides again.
 */
export class UserPaces {
  private readonly remembered = new Map<string, UserPace>();

  /** `retentionMs`: how long lines are kept (the message retention). */
  constructor(
    private readonly store: CounterStore,
    private readonly retentionMs: number,
  ) {}

  /**
   * The counters as this instance last knew them. A user this instance has not seen in the room is taken to be new
   * (no read: their first line's write creates the row, and fails if there is one, which the caller then reads with
   * `fresh`); `fresh` reads the row as stored.
   */
  async read(userId: string, room: string, fresh = false): Promise<UserPace> {
    const id = paceId(userId, room);
    const known = fresh ? undefined : this.remembered.get(id);
    if (known) return known;
    if (!fresh) return presumedNew;
    const stored = await this.store.getPace(userId, room);
    const pace: UserPace = stored
      ? { state: decodePace(stored.pace), encoded: stored.pace, lines: decodeLines(stored.lines), etag: stored.etag }
      : presumedNew;
    this.remember(id, pace);
    return pace;
  }

  /**
   * Stores `state` and `line` over `base`; false when another write came first (read fresh, decide again). A refusal
   * that changed none of the counters (slow mode, a line while muted) writes nothing: its audit entry records it, and
   * a user hammering at a refusal costs no more row writes than before lines were kept.
   */
  async write(
    userId: string,
    room: string,
    base: UserPace,
    state: ConnectionModerationState,
    line: KeptLine,
  ): Promise<boolean> {
    const encoded = JSON.stringify(state);
    if (line.rule !== undefined && encoded === base.encoded) return true;
    const lines = keepLine(base.lines, line, this.retentionMs);
    const etag = await this.store.putPace(userId, room, { pace: encoded, lines: JSON.stringify(lines) }, base.etag);
    if (etag === undefined) return false;
    this.remember(paceId(userId, room), { state, encoded, lines, etag });
    return true;
  }

  private remember(id: string, pace: UserPace) {
    this.remembered.delete(id);
    if (this.remembered.size >= maxRememberedPaces) {
      const oldest = this.remembered.keys().next().value;
      if (oldest !== undefined) this.remembered.delete(oldest);
    }
    this.remembered.set(id, pace);
  }
}

const paceId = (userId: string, room: string) => `${userId}\n${room}`;

/** A row that does not parse (edited by hand) counts as fresh counters rather than failing the user's every line. */
export function decodePace(encoded: string): ConnectionModerationState {
  try {
    return connectionModerationStateSchema.safeParse(JSON.parse(encoded)).data ?? initialModerationState();
  } catch {
    return initialModerationState();
  }
}
