import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { startEmulator } from './server.js';

const usage = `Usage: npm run emulator -- [--host 127.0.0.1] [--port 8080] [--config file.json] [--cert cert.pem --key key.pem]
  --config  JSON { "accessKeys"?: [primary, secondary], "hubs"?: { "<hub>": HubSettings } }
  --cert/--key  PEM files; REST and client WebSockets are then also served over https/wss on port+1.`;

const eventHandlerSchema = z.object({
  urlTemplate: z.string().min(1),
  userEventPattern: z.string().optional(),
  systemEvents: z.array(z.enum(['connect', 'connected', 'disconnected'])).optional(),
  auth: z
    .discriminatedUnion('type', [
      z.object({ type: z.literal('None') }),
      z.object({ type: z.literal('ManagedIdentity'), resource: z.string().min(1) }),
    ])
    .optional(),
});

const configSchema = z.object({
  accessKeys: z.tuple([z.string().min(1), z.string().min(1)]).optional(),
  hubs: z
    .record(
      z.string(),
      z.object({ anonymousConnect: z.boolean().optional(), eventHandlers: z.array(eventHandlerSchema).optional() }),
    )
    .optional(),
});

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8080' },
      config: { type: 'string' },
      cert: { type: 'string' },
      key: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Invalid --port '${values.port}'.`);
  if ((values.cert === undefined) !== (values.key === undefined)) throw new Error('--cert and --key go together.');
  const config =
    values.config === undefined ? {} : configSchema.parse(JSON.parse(await readFile(values.config, 'utf8')));
  const https =
    values.cert === undefined || values.key === undefined
      ? undefined
      : {
          cert: await readFile(values.cert, 'utf8'),
          key: await readFile(values.key, 'utf8'),
          // Port 0 stays ephemeral for both servers.
          port: port === 0 ? 0 : port + 1,
        };

  const emulator = await startEmulator({
    host: values.host,
    port,
    ...(https ? { https } : {}),
    ...(config.accessKeys ? { accessKeys: config.accessKeys } : {}),
    ...(config.hubs ? { hubs: config.hubs } : {}),
  });
  console.log(
    `Web PubSub emulator listening on ${emulator.httpUrl}${emulator.httpsUrl ? ` and ${emulator.httpsUrl}` : ''}`,
  );
  console.log(`Connection string: ${emulator.connectionString}`);
  if (emulator.httpsUrl) {
    const httpsPort = new URL(emulator.httpsUrl).port;
    console.log(
      `Connection string (https): Endpoint=https://${new URL(emulator.httpsUrl).hostname};Port=${httpsPort};AccessKey=${emulator.accessKeys[0]};Version=1.0;`,
    );
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    emulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  console.error(usage);
  process.exit(1);
});
