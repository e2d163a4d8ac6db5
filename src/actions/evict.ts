import type { App } from '../app.js';
import { revokePermissionAndEvict } from '../workflows/revoke-permission-and-evict.js';
import { audited } from './audited.js';
import { changeConfiguration } from './configure.js';

export interface EvictInput {
  connectionId: string;
  permission: 'sendToGroup' | 'joinLeaveGroup';
  userId?: string;
  room?: string;
  reason: string;
  banMinutes?: number;
  /** A moderator's user id, or `policy` for the automatic escalation. */
  actor: string;
  rule?: string;
}

export interface EvictResult {
  revokeStatus: number;
  closeStatus: number;
  bannedUntil?: Date;
}

/**
 * Bans first (so a fast reconnect is already refused), then runs `revoke-permission-and-evict`, and audits what
 * really happened, failures included, before returning or rethrowing.
 */
export async function evictAndBan(app: App, input: EvictInput): Promise<EvictResult> {
  const now = app.now();
  const bannedUntil =
    input.userId && input.banMinutes ? new Date(now.getTime() + input.banMinutes * 60_000) : undefined;
  const draft = {
    actor: input.actor,
    connectionId: input.connectionId,
    reason: input.reason,
    ...(input.userId ? { target: input.userId } : {}),
    ...(input.room ? { room: input.room } : {}),
    ...(input.rule ? { rule: input.rule } : {}),
  };
  const { userId } = input;
  if (userId && bannedUntil) {
    await changeConfiguration(app, { ...draft, action: 'ban' }, () =>
      app.sanctions.putSanction({
        kind: 'ban',
        scope: 'app',
        userId,
        until: bannedUntil,
        reason: input.reason,
        actor: input.actor,
        createdAt: now,
      }),
    );
  }
  const closeReason = bannedUntil ? `${input.reason} (banned until ${bannedUntil.toISOString()})` : input.reason;
  const result = await audited(app, { ...draft, action: 'evict' }, () =>
    revokePermissionAndEvict(app.webPubSub, {
      connectionId: input.connectionId,
      permission: input.permission,
      ...(input.room ? { targetName: input.room } : {}),
      reason: closeReason,
    }),
  );
  return {
    revokeStatus: result.revokeStatus,
    closeStatus: result.closeStatus,
    ...(bannedUntil ? { bannedUntil } : {}),
  };
}
