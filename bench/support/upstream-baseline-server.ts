/**
 * Child-process entry: a baseline server for `bench/upstream.bench.ts`, on 127.0.0.1 port 0.
 * `express`: the official `WebPubSubEventHandler` on express, running the app's moderator on the `chat` event and
 * answering with `res.success(...)` (it does not verify tokens or signatures, and sends nothing to Web PubSub).
 * `bare`: `node:http` answering 200 with a small JSON body without reading the request: the ceiling.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebPubSubEventHandler } from '@azure/web-pubsub-express';
import express from 'express';
import {
  type ConnectionModerationState,
  createModerator,
  initialModerationState,
  moderationPolicySchema,
} from '../../src/moderation/index.js';
import { reportReady } from './child-process.js';

type BaselineKind = 'express' | 'bare';

function expressApp(): express.Express {
  const moderator = createModerator(moderationPolicySchema.parse({}));
  const handler = new WebPubSubEventHandler('chat', {
    path: '/api/webpubsub',
    handleUserEvent: (request, response) => {
      const chat = request.data as { room?: string; text?: string };
      const states = request.context.states as { room?: string; moderation?: ConnectionModerationState };
      if (!states.room || (chat.room && chat.room !== states.room)) {
        response.success(JSON.stringify({ type: 'refused', rule: 'not-in-room' }), 'json');
        return;
      }
      const moderation = states.moderation ?? initialModerationState();
      const { verdict, state } = moderator.moderate(chat.text ?? '', moderation, Date.now());
      response.setState('moderation', state);
      const body = verdict.allowed
        ? { type: 'accepted', id: randomUUID() }
        : { type: 'refused', rule: verdict.rule, message: verdict.message, strikes: verdict.strikes };
      response.success(JSON.stringify(body), 'json');
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
const server = kind === 'express' ? createServer(expressApp()) : bareServer();
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
