/**
 * Everything behind the function registrations, loaded on the first call: a cold start evaluates only the
 * registrations and `@azure/functions` (the build ships this module as its own file).
 */
import { announce } from './endpoints/announce.js';
import { audit, evict, roomConnections, rooms } from './endpoints/moderate.js';
import { negotiate } from './endpoints/negotiate.js';
import { decideQueueItem, listQueue, queueContext } from './endpoints/queue.js';
import { addRule, deleteRule, getRoomSettings, listRules, putRoomSettings } from './endpoints/rules.js';
import {
  ban,
  listBans,
  listMutes,
  listShadowBans,
  mute,
  shadowBan,
  unban,
  unmute,
  unshadowBan,
} from './endpoints/sanctions.js';
import { searchMessages } from './endpoints/search.js';
import { stats } from './endpoints/stats.js';
import { userProfile } from './endpoints/users.js';
import { handleUpstream } from './events/handle-upstream.js';
import type { AppHandler } from './http/app-handler.js';

export { getApp } from './app.js';

/** Every endpoint by the name the registration table (`functions/index.ts`) gives it. */
export const endpoints = {
  negotiate,
  handleUpstream,
  announce,
  evict,
  audit,
  stats,
  userProfile,
  rooms,
  roomConnections,
  searchMessages,
  listBans,
  ban,
  unban,
  listMutes,
  mute,
  unmute,
  listShadowBans,
  shadowBan,
  unshadowBan,
  getRoomSettings,
  putRoomSettings,
  listRules,
  addRule,
  deleteRule,
  listQueue,
  decideQueueItem,
  queueContext,
} satisfies Record<string, AppHandler>;
