/**
 * Child-process entry: a baseline server for `bench/upstream.bench.ts`, on 127.0.0.1 port 0.
 * `express`: the same work as the app's in-room chat line, written as a user of the official packages would write
 * it: `@azure/web-pubsub-express`'s `WebPubSubEventHandler` parses the CloudEvents request, a word check against a
 * public list (`badwords-list`), then in parallel `sendToAll` to the room's group with `@azure/web-pubsub` and a
 * message row with `@azure/data-tables`, and `res.success(...)`. It checks no token or signature (the handler does
 * not). Like the app, it reaches the emulator over https with the managed identity (`DefaultAzureCredential`) and Table
 * Storage with the connection string. Env: the stack's app settings (`WEBPUBSUB_ENDPOINT`, `IDENTITY_ENDPOINT`,
 * `NODE_EXTRA_CA_CERTS`, `TABLES_CONNECTION_STRING`…).
 * `bare`: `node:http` answering 200 with a small JSON body without reading the request: the ceiling.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TableClient } from '@azure/data-tables';
import { DefaultAzureCredential } from '@azure/identity';
import { WebPubSubServiceClient } from '@azure/web-pubsub';
import { WebPubSubEventHandler } from '@azure/web-pubsub-express';
import badwordsList from 'badwords-list';
import express from 'express';
import { reportReady } from './child-process.js';

type BaselineKind = 'express' | 'bare';

async function expressApp(): Promise<express.Express> {
  const service = new WebPubSubServiceClient(
    process.env.WEBPUBSUB_ENDPOINT ?? '',
    new DefaultAzureCredential(),
    'chat',
  );
  const messages = TableClient.fromConnectionString(process.env.TABLES_CONNECTION_STRING ?? '', 'baselineMessages', {
    allowInsecureConnection: true,
  });
  await messages.createTable();
  const rude = new Set(badwordsList.array.map((word: string) => word.toLowerCase()));
  const handler = new WebPubSubEventHandler('chat', {
    path: '/api/webpubsub',
    handleUserEvent: async (request, response) => {
      const chat = request.data as { room?: string; text?: string };
      const room = chat.room ?? 'lobby';
      const text = chat.text ?? '';
      if (
        text
          .toLowerCase()
          .split(/[^a-z]+/)
          .some((word) => rude.has(word))
      ) {
        response.success(JSON.stringify({ type: 'refused', rule: 'profanity' }), 'json');
        return;
      }
      const id = randomUUID();
      const from = request.context.userId ?? request.context.connectionId;
      await Promise.all([
        service.group(room).sendToAll({ type: 'chat', id, room, from, text, ts: new Date().toISOString() }),
        messages.createEntity({ partitionKey: room, rowKey: id, from, text }),
      ]);
      response.success(JSON.stringify({ type: 'accepted', id }), 'json');
    },
  });
  const app = express();
  app.use(handler.getMiddleware());
  return app;
}

function bareServer(): Server {
  const body = JSON.stringify({ type: 'accepted', id: '00000000-0000-0000-0000-000000000000' });
  return createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(body);
  });
}

const kind = process.argv[2] as BaselineKind;
const server = kind === 'express' ? createServer(await expressApp()) : bareServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  reportReady(
    { url: `http://127.0.0.1:${port}` },
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
});
