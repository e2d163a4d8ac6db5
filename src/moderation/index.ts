export type { Blocklist } from './blocklist.js';
export { createBlocklist } from './blocklist.js';
export type { CompiledList, ListMatch, ListRule, ListRuleAction, ListRuleKind } from './list-rules.js';
export { compileList } from './list-rules.js';
export type {
  ModerationAction,
  ModerationResult,
  ModerationRule,
  Moderator,
  RoomContext,
  RoomLimits,
  Verdict,
} from './moderator.js';
export { createModerator } from './moderator.js';
export type { ConnectionModerationState, ModerationPolicy } from './policy.js';
export {
  connectionModerationStateSchema,
  HISTORY_LIMIT,
  initialModerationState,
  moderationPolicySchema,
} from './policy.js';
export { compileRegexRule, REGEX_PATTERN_LIMIT } from './regex-safety.js';
