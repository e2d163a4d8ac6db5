import type { App } from '../app.js';
import type { RoomBanNotice } from '../contracts.js';
import { roomOf, sanctionScope } from '../scope.js';
import type { AuditAction, Sanction, SanctionKind } from '../store/types.js';
import { changeConfiguration } from './configure.js';

/** What a sanction does to the user's connections at once (the rules cache does the rest within seconds). */
async function enforce(app: App, sanction: Sanction): Promise<void> {
  if (sanction.kind !== 'ban') return;
  const notice = `Banned until ${sanction.until.toISOString()}: ${sanction.reason}`;
  if (sanction.scope === 'app') {
    await app.webPubSub.closeUserConnections(sanction.userId, { reason: notice });
    return;
  }
  const room = roomOf(sanction.scope);
  if (!room) return;
  await app.webPubSub.group(room).removeUser(sanction.userId);
  await app.webPubSub.sendToUser(sanction.userId, {
    type: 'banned',
    room,
    until: sanction.until.toISOString(),
    reason: sanction.reason,
  } satisfies RoomBanNotice);
  const presence = await app.presence.listRoom(room);
  await Promise.all(
    presence
      .filter((entry) => entry.userId === sanction.userId)
      .map((entry) => app.presence.leaveRoom(room, entry.connectionId)),
  );
}

const addAction: Record<SanctionKind, AuditAction> = { ban: 'ban', mute: 'mute', 'shadow-ban': 'shadow-ban' };

export interface SanctionInput {
  kind: SanctionKind;
  userId: string;
  room?: string | undefined;
  minutes: number;
  reason: string;
  /** The moderator's user id. */
  actor: string;
}

/** Stores a sanction, applies what must happen at once (a ban closes or removes), and audits it. */
export async function imposeSanction(app: App, input: SanctionInput): Promise<Sanction> {
  const now = app.now();
  const sanction: Sanction = {
    kind: input.kind,
    userId: input.userId,
    scope: sanctionScope(input.room),
    until: new Date(now.getTime() + input.minutes * 60_000),
    reason: input.reason,
    actor: input.actor,
    createdAt: now,
  };
  const draft = {
    actor: input.actor,
    action: addAction[input.kind],
    target: input.userId,
    reason: `${input.reason} (until ${sanction.until.toISOString()})`,
    ...(input.room ? { room: input.room } : {}),
  };
  await changeConfiguration(
    app,
    draft,
    () => app.sanctions.putSanction(sanction),
    () => enforce(app, sanction),
  );
  return sanction;
}

export interface LiftInput {
  kind: SanctionKind;
  userId: string;
  room?: string | undefined;
  /** The audit action: `unban`, `unmute`, `unshadow-ban`. */
  action: AuditAction;
  actor: string;
}

/** Lifts a sanction in force and audits it; false when there was none to lift (nothing is audited then). */
export async function liftSanction(app: App, input: LiftInput): Promise<boolean> {
  const scope = sanctionScope(input.room);
  if (!(await app.sanctions.getSanction(input.kind, input.userId, scope, app.now()))) return false;
  const draft = {
    actor: input.actor,
    action: input.action,
    target: input.userId,
    ...(input.room ? { room: input.room } : {}),
  };
  await changeConfiguration(app, draft, () => app.sanctions.deleteSanction(input.kind, input.userId, scope));
  return true;
}
