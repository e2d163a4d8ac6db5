import { type RunningEmulator, startEmulator } from '../emulator/server.js';
import { loadSettings } from '../src/settings.js';
import { startAzuriteTable } from './azurite.js';
import { ensureDevCertificates } from './certs.js';
import { type FunctionsHostProcess, startFunctionsHostProcess } from './host/child.js';
import { type RunningIdentityEndpoint, startIdentityEndpoint } from './identity/server.js';
import type { LogLine } from './processes.js';

export interface StackOptions {
  /** The well-known ports (app 7071, emulator 8080/8081, Azurite 10002) instead of free ones. */
  fixedPorts?: boolean;
  log?: LogLine;
  /** Extra app settings for the Functions host, e.g. a test's moderation policy. */
  appSettings?: Record<string, string>;
}

export interface Stack {
  appUrl: string;
  /** The Functions host's process id, for benchmarks that measure its CPU time. */
  appPid: number;
  emulator: RunningEmulator;
  identity: RunningIdentityEndpoint;
  tablesConnectionString: string;
  appPrincipalId: string;
  /** The app settings the Functions host runs with (on top of this process's environment). */
  appSettings: Readonly<Record<string, string>>;
  /** The app's (the Functions host process's) memory after a full GC, for soak tests. */
  appMemoryUsage(): Promise<NodeJS.MemoryUsage>;
  /**
   * Another Functions host process serving the app with the same settings (the emulator's events still go to the
   * first one), stopped with the stack: for a benchmark that measures a workload in a process that has served no other.
   */
  startAppHost(): Promise<FunctionsHostProcess>;
  close(): Promise<void>;
}

export const hubName = 'chat';
export const upstreamAudience = 'api://webpubsub-moderator-local';
export const appIdentity = { clientId: 'app-local', principalId: '3f8b2c1d-6e4a-4b7f-9d2e-1a5c7b9e0f13' } as const;
export const webPubSubIdentity = {
  clientId: 'webpubsub-local',
  principalId: '9a1e4d7c-2b5f-4e8a-b3c6-7d0f2e4a6b81',
} as const;

/** Settings that would pick another credential or identity source than the local managed identity endpoint. */
const foreignIdentitySettings = [
  'AZURE_CLIENT_ID',
  'AZURE_TENANT_ID',
  'AZURE_CLIENT_SECRET',
  'AZURE_CLIENT_CERTIFICATE_PATH',
  'AZURE_FEDERATED_TOKEN_FILE',
  'AZURE_TOKEN_CREDENTIALS',
  'MSI_ENDPOINT',
  'MSI_SECRET',
  'IDENTITY_SERVER_THUMBPRINT',
  'IMDS_ENDPOINT',
];

/**
 * Starts everything the app needs on this machine: Azurite (Table), the managed identity endpoint, the Web PubSub
 * emulator (in-process) and the Functions host (child process) wired to them, as they would be in Azure.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const log = options.log ?? (() => {});
  const fixed = options.fixedPorts ?? false;
  // Stop whatever already started if a later step fails, newest first.
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) {
      await close().catch((error: unknown) => log(`[stack] close failed: ${String(error)}`));
    }
  };
  try {
    const certificates = await ensureDevCertificates();

    const azurite = await startAzuriteTable({ port: fixed ? 10002 : 0, log });
    closers.push(azurite.close);

    const identity = await startIdentityEndpoint({
      identities: {
        [appIdentity.clientId]: { principalId: appIdentity.principalId },
        [webPubSubIdentity.clientId]: { principalId: webPubSubIdentity.principalId },
      },
      defaultClientId: appIdentity.clientId,
    });
    closers.push(identity.close);

    const emulator = await startEmulator({
      port: fixed ? 8080 : 0,
      https: { port: fixed ? 8081 : 0, cert: certificates.certPem, key: certificates.keyPem },
      entra: { issuer: identity.issuer, jwksUri: identity.jwksUri, ownerPrincipalIds: [appIdentity.principalId] },
      getUpstreamToken: (resource: string) => identity.issueToken({ resource, clientId: webPubSubIdentity.clientId }),
      log: (message: string) => log(`[emulator] ${message}`),
    });
    closers.push(() => emulator.close());
    if (!emulator.httpsUrl) throw new Error('The emulator did not start its https listener.');

    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of foreignIdentitySettings) delete env[name];
    const appSettings: Record<string, string> = {
      IDENTITY_ENDPOINT: identity.endpoint,
      IDENTITY_HEADER: identity.header,
      NODE_EXTRA_CA_CERTS: certificates.caPath,
      WEBPUBSUB_ENDPOINT: emulator.httpsUrl,
      // Browsers connect over ws:// and would not trust the local CA.
      WEBPUBSUB_CLIENT_ENDPOINT: emulator.httpUrl,
      WEBPUBSUB_HUB: hubName,
      TABLES_CONNECTION_STRING: azurite.connectionString,
      UPSTREAM_TOKEN_ISSUER: identity.issuer,
      UPSTREAM_TOKEN_JWKS_URI: identity.jwksUri,
      UPSTREAM_TOKEN_AUDIENCE: upstreamAudience,
      UPSTREAM_PRINCIPAL_ID: webPubSubIdentity.principalId,
      // As deployed (infra/main.bicep): one app registration is the hub's audience and the API's.
      API_TOKEN_ISSUER: identity.issuer,
      API_TOKEN_AUDIENCE: upstreamAudience,
      API_TOKEN_JWKS_URI: identity.jwksUri,
      ALLOW_ANONYMOUS: 'false',
      ...options.appSettings,
    };
    const appEnv: NodeJS.ProcessEnv = { ...env, ...appSettings };
    // Fail fast, with every problem listed, rather than on the first call.
    loadSettings(appEnv);
    const host = await startFunctionsHostProcess({ port: fixed ? 7071 : 0, log, env: appEnv });
    closers.push(host.close);

    emulator.configureHub(hubName, {
      eventHandlers: [
        {
          urlTemplate: `${host.url}/api/webpubsub`,
          userEventPattern: '*',
          systemEvents: ['connect', 'connected', 'disconnected'],
          auth: { type: 'ManagedIdentity', resource: upstreamAudience },
        },
      ],
    });

    return {
      appUrl: host.url,
      appPid: host.pid,
      emulator,
      identity,
      tablesConnectionString: azurite.connectionString,
      appPrincipalId: appIdentity.principalId,
      appSettings,
      appMemoryUsage: host.memoryUsage,
      startAppHost: async () => {
        const extraHost = await startFunctionsHostProcess({ log, env: appEnv });
        closers.push(extraHost.close);
        return extraHost;
      },
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
