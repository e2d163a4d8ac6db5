import type { HttpFunctionDefinition } from '../src/http/register.js';
import { announceFunction } from './announce.js';
import {
  auditFunction,
  evictFunction,
  listBansFunction,
  roomConnectionsFunction,
  roomsFunction,
  unbanFunction,
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
];
