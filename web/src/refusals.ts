import type { RefusalRule } from '../../src/contracts.js';

/** What each rule name means to a chatter; the compiler asks for a label whenever a rule is added. */
const ruleLabels: Record<Exclude<RefusalRule, `list:${string}` | `ai:${string}`>, string> = {
  profanity: 'Profanity',
  harassment: 'Harassment',
  unchecked: 'Could not be checked in time',
  blocklist: 'Blocked word',
  length: 'Too long',
  empty: 'Empty message',
  rate: 'Too many messages',
  flood: 'Repeated message',
  muted: 'Muted',
  'not-in-room': 'Not in the room',
  'slow-mode': 'Slow mode',
  links: 'Links are not allowed here',
  banned: 'Banned from this room',
  'ai-unavailable': 'Automatic content analysis is unavailable',
};

/**
 * A refusal rule in words: `list:<id>` names the moderators' rule by id only (its pattern stays private) and
 * `ai:<Category>` the Content Safety category; a rule this page does not know yet is shown as it came.
 */
export function describeRule(rule: string): string {
  const label = (ruleLabels as Record<string, string | undefined>)[rule];
  if (label) return label;
  if (rule.startsWith('list:')) return `Blocked by a moderation rule (${rule.slice('list:'.length)})`;
  if (rule.startsWith('ai:')) return `Flagged by automatic content analysis: ${rule.slice('ai:'.length)}`;
  return rule;
}
