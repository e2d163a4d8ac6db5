import { describe, expect, it } from 'vitest';
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
