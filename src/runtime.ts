/**
 * Everything behind the function registrations, loaded on the first call: a cold start evaluates only the
 * registrations and `@azure/functions` (the build ships this module as its own file).
 */
export { getApp } from './app.js';
export { announce } from './endpoints/announce.js';
export { audit, evict, roomConnections, rooms } from './endpoints/moderate.js';
export { negotiate } from './endpoints/negotiate.js';
export { decideQueueItem, listQueue } from './endpoints/queue.js';
export { addRule, deleteRule, getRoomSettings, listRules, putRoomSettings } from './endpoints/rules.js';
export {
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
export { handleUpstream } from './events/handle-upstream.js';
