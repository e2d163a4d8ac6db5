import { createTermIndex } from './blocklist.js';
import { hostAndParents } from './links.js';
import { REGEX_FLAGS, REGEX_INPUT_LIMIT } from './regex-safety.js';

export type ListRuleKind = 'word' | 'regex' | 'domain';
export type ListRuleAction = 'block' | 'flag';

/** A moderator's rule: a word or phrase, a regular expression (already checked by `checkRegexSafety`), or a domain. */
export interface ListRule {
  id: string;
  kind: ListRuleKind;
  pattern: string;
  action: ListRuleAction;
}

/** What a message matched: the first blocking rule, and the flagging rules found (at most one of each kind). */
export interface ListMatch {
  block?: string;
  flags: string[];
}

/** The text of one message, prepared once for every list: normalised, its folded words and its link hosts. */
export interface PreparedText {
  normalized: string;
  plainWords: readonly string[];
  hosts: readonly string[];
}

export interface CompiledList {
  readonly size: number;
  match(text: PreparedText): ListMatch;
}

interface Matcher {
  find(text: PreparedText): string | undefined;
}

/**
 * Compiles a list once per cache refresh: words into the blocklist trie, domains into a map looked up by the host
 * and each parent domain, regular expressions into RegExps that read a bounded prefix of the message.
 */
export function compileList(rules: readonly ListRule[]): CompiledList {
  const byAction = (action: ListRuleAction): Matcher[] => {
    const matchers: Matcher[] = [];
    const ofKind = (kind: ListRuleKind) => rules.filter((rule) => rule.kind === kind && rule.action === action);
    const wordRules = ofKind('word');
    if (wordRules.length > 0) {
      const index = createTermIndex(wordRules.map((rule) => ({ term: rule.pattern, value: rule.id })));
      matchers.push({ find: (text) => index.find(text.normalized, text.plainWords) });
    }
    const domainRules = ofKind('domain');
    if (domainRules.length > 0) {
      const domains = new Map<string, string>();
      for (const rule of domainRules) {
        const domain = rule.pattern.toLowerCase();
        if (!domains.has(domain)) domains.set(domain, rule.id);
      }
      matchers.push({
        find(text) {
          for (const host of text.hosts)
            for (const domain of hostAndParents(host)) {
              const id = domains.get(domain);
              if (id !== undefined) return id;
            }
          return undefined;
        },
      });
    }
    for (const rule of ofKind('regex')) {
      const expression = new RegExp(rule.pattern, REGEX_FLAGS);
      matchers.push({
        find: (text) => (expression.test(text.normalized.slice(0, REGEX_INPUT_LIMIT)) ? rule.id : undefined),
      });
    }
    return matchers;
  };
  const blocking = byAction('block');
  const flagging = byAction('flag');
  return {
    size: rules.length,
    match(text) {
      for (const matcher of blocking) {
        const id = matcher.find(text);
        if (id !== undefined) return { block: id, flags: [] };
      }
      const flags: string[] = [];
      for (const matcher of flagging) {
        const id = matcher.find(text);
        if (id !== undefined) flags.push(id);
      }
      return { flags };
    },
  };
}
