import { SettingsError } from '../../../src/errors.js';
import { loadSettings } from '../../../src/settings.js';

/** CloudEvents headers of a user `chat` event, with any header replaced (or removed with undefined). */
export function cloudEventHeaders(overrides: Record<string, string | undefined> = {}): Headers {
  const headers = new Headers();
  const values: Record<string, string | undefined> = {
    'ce-specversion': '1.0',
    'ce-type': 'azure.webpubsub.user.chat',
    'ce-hub': 'chat',
    'ce-connectionid': 'conn-1',
    'ce-eventname': 'chat',
    'ce-userid': 'alice',
    'ce-time': new Date().toISOString(),
    ...overrides,
  };
  for (const [name, value] of Object.entries(values)) if (value !== undefined) headers.set(name, value);
  return headers;
}

/** The problems loadSettings reports for `env`; fails the test when the settings are valid. */
export function settingsProblems(env: Record<string, string>): string[] {
  try {
    loadSettings(env);
  } catch (error) {
    if (error instanceof SettingsError) return error.problems;
    throw error;
  }
  throw new Error('expected a SettingsError');
}
