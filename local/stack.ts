import { randomBytes } from 'node:crypto';
import { type RunningEmulator, startEmulator } from '../emulator/server.js';
import { loadSettings } from '../src/settings.js';
import { startAzuriteTable } from './azurite.js';
import { ensureDevCertificates } from './certs.js';
import { startFrontEnd } from './front-end.js';
import { type FunctionsHostProcess, startFunctionsHostProcess } from './host/child.js';
import { type RunningIdentityEndpoint, startIdentityEndpoint } from './identity/server.js';
import type { LogLine } from './processes.js';

export interface StackOptions {
  /** The well-known ports (app 7071, emulator 8080/8081, Azurite 10002) instead of free ones. */
  fixedPorts?: boolean;
  log?: LogLine;
  /** Extra app settings for the Functions host, e.g. a test's moderation policy. */
  appSettings?: Record<string, string>;
  /**
   * Instances of the app, each its own Functions host process with its own memory and caches, behind one front end
   * that spreads requests over them as the platform does for a scaled-out app. Default 1 (no front end).
   */
  appInstances?: number;
}

/** One instance of a scaled-out app. */
export interface AppInstance {
  readonly url: string;
  readonly pid: number;
  /** Whether its process is running (false between `kill` and `restart`). */
  readonly running: boolean;
  /** SIGKILL, as a crashed or recycled instance: what it was serving is cut off. */
  kill(): Promise<void>;
  /** A new process on the same port, with the same settings. */
  restart(): Promise<void>;
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
  /** The app's instances; `appUrl` is the first one's, or their front end's when there are several. */
  instances: readonly AppInstance[];
  /** Requests the front end gave each instance, by URL (empty with one instance, which has no front end). */
  forwarded: ReadonlyMap<string, number>;
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
      // One per app, as App Service keeps it: a session signed by one instance is honoured by all.
      WEBSITE_AUTH_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      ...options.appSettings,
    };
    const appEnv: NodeJS.ProcessEnv = { ...env, ...appSettings };
    // Fail fast, with every problem listed, rather than on the first call.
    loadSettings(appEnv);
    const instanceCount = options.appInstances ?? 1;
    const instances: ManagedInstance[] = [];
    for (let n = 0; n < instanceCount; n++) {
      const instanceLog: LogLine = instanceCount === 1 ? log : (line) => log(`[instance ${n}] ${line}`);
      const port = fixed && instanceCount === 1 ? 7071 : 0;
      const instance = await ManagedInstance.start(appEnv, port, instanceLog);
      instances.push(instance);
      closers.push(() => instance.close());
    }
    const first = instances[0];
    if (!first) throw new Error('appInstances must be at least 1.');
    let appUrl = first.url;
    let forwarded: ReadonlyMap<string, number> = new Map();
    if (instanceCount > 1) {
      const frontEnd = await startFrontEnd({
        port: fixed ? 7071 : 0,
        instances: () => instances.map((instance) => instance.url),
        log,
      });
      closers.push(frontEnd.close);
      appUrl = frontEnd.url;
      forwarded = frontEnd.forwarded;
    }

    emulator.configureHub(hubName, {
      eventHandlers: [
        {
          urlTemplate: `${appUrl}/api/webpubsub`,
          userEventPattern: '*',
          systemEvents: ['connect', 'connected', 'disconnected'],
          auth: { type: 'ManagedIdentity', resource: upstreamAudience },
        },
      ],
    });

    return {
      appUrl,
      appPid: first.pid,
      emulator,
      identity,
      tablesConnectionString: azurite.connectionString,
      appPrincipalId: appIdentity.principalId,
      appSettings,
      instances,
      forwarded,
      appMemoryUsage: () => first.memoryUsage(),
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

/** A Functions host process that can be killed and started again on its port, as an instance of a scaled-out app. */
class ManagedInstance implements AppInstance {
  private constructor(
    private process: FunctionsHostProcess | undefined,
    readonly url: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly log: LogLine,
  ) {}

  static async start(env: NodeJS.ProcessEnv, port: number, log: LogLine): Promise<ManagedInstance> {
    const process = await startFunctionsHostProcess({ port, log, env });
    return new ManagedInstance(process, process.url, env, log);
  }

  get pid(): number {
    return this.process?.pid ?? 0;
  }
  get running(): boolean {
    return this.process !== undefined;
  }

  memoryUsage(): Promise<NodeJS.MemoryUsage> {
    if (!this.process) throw new Error(`The instance at ${this.url} is not running.`);
    return this.process.memoryUsage();
  }

  async kill(): Promise<void> {
    const process = this.process;
    this.process = undefined;
    await process?.kill();
  }

  async restart(): Promise<void> {
    await this.kill();
    const port = Number(new URL(this.url).port);
    this.process = await startFunctionsHostProcess({ port, log: this.log, env: this.env });
  }

  async close(): Promise<void> {
    const process = this.process;
    this.process = undefined;
    await process?.close();
  }
}
