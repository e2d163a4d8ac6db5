import { describe, expect, it } from 'vitest';
import { createModerator, initialModerationState } from '../../src/moderation/index.js';
import { loadSettings } from '../../src/settings.js';
import { settingsProblems } from './support/factories.js';

const valid = {
  WEBPUBSUB_ENDPOINT: 'https://chat.webpubsub.azure.com/',
  TABLES_ENDPOINT: 'https://acct.table.core.windows.net',
  WEBPUBSUB_ACCESS_KEYS: 'key',
};

describe('moderation settings of issue 7', () => {
  it('defaults: a 5 s rules cache, 24 h of reportable messages, no Content Safety', () => {
    const settings = loadSettings(valid);
    expect(settings.rulesCacheSeconds).toBe(5);
    expect(settings.messageRetentionHours).toBe(24);
    expect(settings.contentSafety).toBeUndefined();
  });

  it('reads Content Safety with thresholds merged over the defaults', () => {
    const settings = loadSettings({
      ...valid,
      CONTENT_SAFETY_ENDPOINT: 'https://cs.cognitiveservices.azure.com/',
      CONTENT_SAFETY_FAILURE: 'closed',
      CONTENT_SAFETY_THRESHOLDS: 'Violence=2, Hate = 6',
      RULES_CACHE_SECONDS: '0.5',
    });
    expect(settings.contentSafety).toEqual({
      endpoint: 'https://cs.cognitiveservices.azure.com',
      failure: 'closed',
      timeoutMs: 2_000,
      thresholds: { Hate: 6, SelfHarm: 4, Sexual: 4, Violence: 2 },
    });
    expect(settings.rulesCacheSeconds).toBe(0.5);
  });

  it('names every bad value', () => {
    const problems = settingsProblems({
      ...valid,
      RULES_CACHE_SECONDS: '60',
      CONTENT_SAFETY_FAILURE: 'maybe',
      CONTENT_SAFETY_THRESHOLDS: 'Violence=high',
      MESSAGE_RETENTION_HOURS: '0',
    });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'CONTENT_SAFETY_FAILURE',
      'CONTENT_SAFETY_THRESHOLDS',
      'MESSAGE_RETENTION_HOURS',
      'RULES_CACHE_SECONDS',
    ]);
    expect(problems.join('\n')).toContain("'Violence=high' is not Category=severity");
  });
});

describe('MODERATION_LANGUAGES (issue 22)', () => {
  it('defaults to English and reads a comma-separated list of naughty-words language codes', () => {
    expect(loadSettings(valid).moderation.languages).toEqual(['en']);
    expect(loadSettings({ ...valid, MODERATION_LANGUAGES: 'en, de,fr' }).moderation.languages).toEqual([
      'en',
      'de',
      'fr',
    ]);
  });

  it('names an unknown language code', () => {
    expect(settingsProblems({ ...valid, MODERATION_LANGUAGES: 'en,xx' }).join('\n')).toMatch(/MODERATION_LANGUAGES/);
  });
});

describe('a moderator with MODERATION_LANGUAGES', () => {
  it('refuses the words of the added language, with the same folding, and no more English words', () => {
    const german = createModerator(loadSettings({ ...valid, MODERATION_LANGUAGES: 'en,de' }).moderation);
    const english = createModerator(loadSettings(valid).moderation);
    const verdict = (moderator: typeof german, text: string) =>
      moderator.moderate(text, initialModerationState(), 0).verdict.allowed;
    // "Arschloch" and "Scheiße" are German profanity (naughty-words' de list, LDNOOBW).
    for (const text of ['du Arschloch', 'A R S C H L O C H', 'аrschloch', 'so eine Scheiße']) {
      expect(verdict(german, text), text).toBe(false);
      expect(verdict(english, text), text).toBe(true);
    }
    for (const text of ['assorted chocolates', 'the therapist is in', 'Scunthorpe'])
      expect(verdict(german, text)).toBe(true);
  });
});
