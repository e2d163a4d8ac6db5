import { createTermIndex } from './blocklist.js';
import { hostAndParents } from './links.js';
import { compileRegexRule } from './regex-safety.js';

export type ListRuleKind = 'word' | 'regex' | 'domain';
export type ListRuleAction = 'block' | 'flag';

/** A moderator's rule: a word or phrase, a regular expression (run by the linear-time engine), or a domain. */
export interface ListRule {
  id: string;
  kind: ListRuleKind;
  pattern: string;
  action: ListRuleAction;
}

/**
 * What a message matched: the first blocking rule, and the flagging rules found (at most one of each kind).
 * `unchecked`: the line's regular-expression budget ran out before every rule had run.
 */
export interface ListMatch {
  block?: string;
  flags: string[];
  unchecked?: true;
}

/** The text of one message, prepared once for every list: normalised, its folded words and its link hosts. */
export interface PreparedText {
  normalized: string;
  plainWords: readonly string[];
  hosts: readonly string[];
  /** `performance.now()` after which no further regular-expression rule runs on this line. */
  regexDeadline: number;
}

export interface CompiledList {
  readonly size: number;
  match(text: PreparedText): ListMatch;
}

/** The id of the rule that matched, `unchecked` when the line's regex budget is spent, or undefined. */
interface Matcher {
  find(text: PreparedText): string | typeof unchecked | undefined;
}

const unchecked = Symbol('unchecked');

/**
 * Compiles a list once per cache refresh: words into the blocklist trie, domains into a map looked up by the host
 * and each parent domain, regular expressions into the linear-time engine. A regex that does not compile (a row
 * edited by hand: the API refuses them) is skipped and passed to `onInvalid`.
 */
export function compileList(
  rules: readonly ListRule[],
  onInvalid: (rule: ListRule, reason: string) => void = () => {},
): CompiledList {
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
      const compiled = compileRegexRule(rule.pattern);
      if (!compiled.ok) {
        onInvalid(rule, compiled.reason);
        continue;
      }
      matchers.push({
        find(text) {
          if (performance.now() > text.regexDeadline) return unchecked;
          return compiled.regex.test(text.normalized) ? rule.id : undefined;
        },
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
        if (id === unchecked) return { flags: [], unchecked: true };
        if (id !== undefined) return { block: id, flags: [] };
      }
      const flags: string[] = [];
      for (const matcher of flagging) {
        const id = matcher.find(text);
        if (id === unchecked) return { flags, unchecked: true };
        if (id !== undefined) flags.push(id);
      }
      return { flags };
    },
  };
}
