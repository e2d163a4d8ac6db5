import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { AccessKeyRing } from './auth/access-key.js';
import { EntraAuthenticator, type EntraOptions } from './auth/entra.js';
import { RestAuthenticator } from './auth/rest-authenticator.js';
import { ClientEndpoint } from './client/endpoint.js';
import { ClientFrameHandler } from './client/frame-handler.js';
import { ConnectionManager } from './connections.js';
import { FaultInjector, type FaultOptions } from './faults.js';
import { type HubSettings, HubSettingsRegistry } from './hub-settings.js';
import { restRoutes } from './rest/operations.js';
import { RestApi } from './rest/rest-api.js';
import { HubRegistry } from './store/hub.js';
import { WriteCoalescer } from './store/write-coalescer.js';
import { UpstreamDispatcher } from './upstream/dispatcher.js';
import { UpstreamClient } from './upstream/upstream-client.js';

export type { EntraOptions } from './auth/entra.js';
export type { FaultOptions } from './faults.js';
export type { EventHandlerSettings, HubSettings, SystemEventName } from './hub-settings.js';

export interface EmulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** HTTP port; default 0 (ephemeral). */
  port?: number;
  /** PEM; when set, REST and client WebSockets are also served over https/wss. */
  https?: { port?: number; cert: string; key: string };
  /** Default: two random base64 keys. */
  accessKeys?: [string, string];
  /** Hub names are case-insensitive; unknown hubs work with defaults. */
  hubs?: Record<string, HubSettings>;
  entra?: EntraOptions;
  /** Tokens for event handlers with `auth.type` ManagedIdentity. */
  getUpstreamToken?: (resource: string) => Promise<string>;
  /** Injected REST failures for reliability tests; also settable at run time. */
  faults?: FaultOptions;
  /** How long a reliable session waits for recovery after an abnormal drop; default 30 s. */
  recoveryWindowMs?: number;
  /** Where upstream failures of fire-and-forget events are reported; default console.warn. */
  log?: (message: string) => void;
}

export interface RunningEmulator {
  httpUrl: string;
  httpsUrl?: string;
  accessKeys: [string, string];
  /** Endpoint=http://127.0.0.1;Port=51234;AccessKey=<primary>;Version=1.0; */
  connectionString: string;
  /** Replaces a hub's settings at run time. */
  configureHub(hub: string, settings: HubSettings): void;
  /** Replaces (or with undefined clears) the injected REST faults. */
  setFaults(faults: FaultOptions | undefined): void;
  /** How many REST requests the current faults failed so far. */
  faultsInjected(): number;
  /**
   * Drops a client's socket without a close frame, as a network failure would; reliable sessions stay
   * recoverable. False when the connection does not exist.
   */
  dropConnection(hub: string, connectionId: string): boolean;
  /** Whether a connection has a socket now and how often its reliable session was recovered; undefined once gone. */
  connectionStatus(hub: string, connectionId: string): { socketOpen: boolean; recoveries: number } | undefined;
  /** Closes every socket and server. */
  close(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? '127.0.0.1';
  const accessKeys = options.accessKeys ?? [randomKey(), randomKey()];
  const log = options.log ?? ((message: string) => console.warn(`emulator: ${message}`));
  const settings = new HubSettingsRegistry(options.hubs);
  const hubs = new HubRegistry();
  const keyRing = new AccessKeyRing(accessKeys);
  const upstream = new UpstreamDispatcher(
    settings,
    new UpstreamClient({ accessKeys, origin: originHost(host), getUpstreamToken: options.getUpstreamToken }),
    log,
  );
  const connections = new ConnectionManager(hubs, upstream, options.recoveryWindowMs ?? 30_000);
  const faults = new FaultInjector(options.faults);
  const rest = new RestApi({
    routes: restRoutes({ connections, keyRing }),
    hubs,
    authenticator: new RestAuthenticator(keyRing, options.entra && new EntraAuthenticator(options.entra)),
    faults,
  });
  // Client tokens may name any of the emulator's listeners: the service has one endpoint, the emulator two
  // (an app minting over https, while browsers dial ws://).
  const listenerUrls: string[] = [];
  const clients = new ClientEndpoint({
    listenerUrls,
    connections,
    settings,
    keyRing,
    upstream,
    frames: new ClientFrameHandler(connections, upstream),
    coalescer: new WriteCoalescer(),
  });

  const serve = (server: Server, scheme: 'http' | 'https') => {
    server.on('request', (request: IncomingMessage, response: ServerResponse) =>
      rest.handle(request, response, scheme),
    );
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) =>
      clients.handleUpgrade(request, socket, head, scheme),
    );
    return server;
  };
  const httpServer = serve(createHttpServer(), 'http');
  const httpPort = await listen(httpServer, host, options.port ?? 0);
  const servers: Server[] = [httpServer];
  let httpsUrl: string | undefined;
  if (options.https) {
    const httpsServer = serve(createHttpsServer({ cert: options.https.cert, key: options.https.key }), 'https');
    servers.push(httpsServer);
    httpsUrl = `https://${urlHost(host)}:${await listen(httpsServer, host, options.https.port ?? 0)}`;
  }

  const httpUrl = `http://${urlHost(host)}:${httpPort}`;
  listenerUrls.push(httpUrl, ...(httpsUrl === undefined ? [] : [httpsUrl]));
  return {
    httpUrl,
    ...(httpsUrl === undefined ? {} : { httpsUrl }),
    accessKeys,
    connectionString: `Endpoint=http://${urlHost(host)};Port=${httpPort};AccessKey=${accessKeys[0]};Version=1.0;`,
    configureHub: (hub, hubSettings) => settings.set(hub, hubSettings),
    setFaults: (next) => faults.set(next),
    faultsInjected: () => faults.injected,
    dropConnection: (hub, connectionId) => {
      const connection = connections.find(hub, connectionId);
      if (!connection?.socket) return false;
      connections.terminate(connection);
      return true;
    },
    connectionStatus: (hub, connectionId) => {
      const connection = connections.find(hub, connectionId);
      return connection && { socketOpen: connection.socket !== undefined, recoveries: connection.recoveries };
    },
    close: async () => {
      connections.closeAll('The service is shutting down.');
      clients.close();
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeAllConnections();
            }),
        ),
      );
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function randomKey(): string {
  return randomBytes(32).toString('base64');
}

/** The host name upstream requests name as their origin, as the service sends `<name>.webpubsub.azure.com`. */
function originHost(host: string): string {
  return host === '0.0.0.0' || host === '::' ? 'localhost' : host;
}

function urlHost(host: string): string {
  const reachable = originHost(host);
  return reachable.includes(':') ? `[${reachable}]` : reachable;
}
