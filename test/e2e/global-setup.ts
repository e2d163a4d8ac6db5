import type { TestProject } from 'vitest/node';
import { appIdentity, startStack, upstreamAudience, webPubSubIdentity } from '../../local/stack.js';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: {
      appUrl: string;
      emulatorHttpUrl: string;
      emulatorHttpsUrl: string;
      tablesConnectionString: string;
      appClientId: string;
      connectionString: string;
      accessKey: string;
      /** To mint the Web PubSub identity's upstream tokens, as the emulator does (tests that call the handler). */
      identityEndpoint: string;
      identityHeader: string;
      upstreamAudience: string;
      webPubSubClientId: string;
      /** Where a test gets a user's access token for the API (`az account get-access-token --resource <api>`). */
      userTokenEndpoint: string;
    };
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
    emulatorHttpsUrl: stack.emulator.httpsUrl ?? '',
    tablesConnectionString: stack.tablesConnectionString,
    appClientId: appIdentity.clientId,
    connectionString: stack.emulator.connectionString,
    accessKey: stack.emulator.accessKeys[0],
    identityEndpoint: stack.identity.endpoint,
    identityHeader: stack.identity.header,
    upstreamAudience,
    webPubSubClientId: webPubSubIdentity.clientId,
    userTokenEndpoint: stack.identity.userTokenEndpoint,
  });
  return () => stack.close();
}
