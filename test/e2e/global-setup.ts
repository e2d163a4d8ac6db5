import type { TestProject } from 'vitest/node';
import { startStack } from '../../local/stack.js';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: { appUrl: string; emulatorHttpUrl: string; connectionString: string; accessKey: string };
  }
}

/** One real stack (Azurite, identity endpoint, emulator, Functions host) for the whole run. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stack = await startStack({
    // Small limits so the policy's escalation shows within a few messages.
    appSettings: {
      MODERATION_BLOCKLIST: 'forbiddenword,secret phrase',
      MODERATION_MUTE_SECONDS: '1',
      MODERATION_BAN_MINUTES: '5',
    },
  });
  project.provide('stack', {
    appUrl: stack.appUrl,
    emulatorHttpUrl: stack.emulator.httpUrl,
    connectionString: stack.emulator.connectionString,
    accessKey: stack.emulator.accessKeys[0],
  });
  return () => stack.close();
}
