export type { Blocklist } from './blocklist.js';
export { createBlocklist } from './blocklist.js';
export type { ModerationAction, ModerationResult, ModerationRule, Moderator, Verdict } from './moderator.js';
export { createModerator } from './moderator.js';
export type { ConnectionModerationState, ModerationPolicy } from './policy.js';
export {
  connectionModerationStateSchema,
  HISTORY_LIMIT,
  initialModerationState,
  moderationPolicySchema,
} from './policy.js';
