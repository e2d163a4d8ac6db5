import type { UserProfile } from '../contracts.js';
import { userLines } from '../events/user-lines.js';
import { decodePace } from '../events/user-pace.js';
import { parseWith } from '../http/body.js';
import { userIdSchema } from '../http/fields.js';
import { json } from '../http/responses.js';
import { messageRetentionMs } from '../settings.js';
import { moderatorOnly } from './moderate.js';

const auditEntries = 100;
const queueItems = 200;

/**
 * `GET /api/moderate/users/{userId}`: a person's page: their strikes and mutes by room (one query of their
 * partition, whose rows also keep their latest lines, delivered and refused), sanctions in force, open connections,
 * the newest audit entries naming them (one shard for what was done to them, every shard for what they did) and
 * their lines in the review queue.
 */
export const userProfile = moderatorOnly(async (request, app) => {
  const userId = parseWith(userIdSchema, request.params.userId, 'InvalidUserId', 'userId');
  const now = app.now();
  const [paces, sanctions, connections, audit, queue] = await Promise.all([
    app.counters.listPaces(userId),
    app.sanctions.listSanctions(now),
    app.presence.listConnections(userId),
    app.audit.listAuditFor(userId, auditEntries),
    app.messages.listQueue({ limit: queueItems }),
  ]);
  const profile: UserProfile = {
    userId,
    rooms: paces.map(({ room, pace }) => {
      const state = decodePace(pace);
      const muted = state.mutedUntil > now.getTime();
      return {
        room,
        strikes: state.strikes,
        ...(muted ? { mutedUntil: new Date(state.mutedUntil).toISOString() } : {}),
      };
    }),
    sanctions: sanctions
      .filter((sanction) => sanction.userId === userId)
      .map((sanction) => ({
        ...sanction,
        until: sanction.until.toISOString(),
        createdAt: sanction.createdAt.toISOString(),
      })),
    connections: connections.map((connection) => ({
      connectionId: connection.connectionId,
      connectedAt: connection.connectedAt.toISOString(),
    })),
    audit: audit.map(({ at, ...entry }) => ({ ...entry, at: at.toISOString() })),
    queued: queue
      .filter((item) => item.from === userId)
      .map((item) => ({ ...item, ts: item.ts.toISOString(), createdAt: item.createdAt.toISOString() })),
    lines: userLines(paces, now.getTime() - messageRetentionMs(app.settings)),
  };
  return json(200, profile);
});
