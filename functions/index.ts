import type { HttpFunctionDefinition } from '../src/http/register.js';
import { announceFunction } from './announce.js';
import {
  addRuleFunction,
  auditFunction,
  banFunction,
  decideQueueItemFunction,
  deleteRuleFunction,
  evictFunction,
  getRoomSettingsFunction,
  listBansFunction,
  listMutesFunction,
  listQueueFunction,
  listRulesFunction,
  listShadowBansFunction,
  muteFunction,
  putRoomSettingsFunction,
  roomConnectionsFunction,
  roomsFunction,
  shadowBanFunction,
  unbanFunction,
  unmuteFunction,
  unshadowBanFunction,
} from './moderate.js';
import { negotiateFunction } from './negotiate.js';
import { webPubSubTriggerFunction } from './webpubsub.js';

/** Every function of the app; importing this module registers them with the Functions host. */
export const functionDefinitions: readonly HttpFunctionDefinition[] = [
  negotiateFunction,
  webPubSubTriggerFunction,
  announceFunction,
  evictFunction,
  listBansFunction,
  unbanFunction,
  auditFunction,
  roomsFunction,
  roomConnectionsFunction,
  banFunction,
  getRoomSettingsFunction,
  putRoomSettingsFunction,
  listRulesFunction,
  addRuleFunction,
  deleteRuleFunction,
  listQueueFunction,
  decideQueueItemFunction,
  listMutesFunction,
  muteFunction,
  unmuteFunction,
  listShadowBansFunction,
  shadowBanFunction,
  unshadowBanFunction,
];
