import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';

export type StandInMode = 'normal' | 'down' | 'slow';

export interface AnalyzeRequest {
  text: string;
  outputType: string;
  apiVersion: string | null;
  audience: string | undefined;
}

export interface ContentSafetyStandIn {
  url: string;
  mode: StandInMode;
  readonly requests: AnalyzeRequest[];
  close(): Promise<void>;
}

/** Severity per category for a text: words in it stand for what a real model would find. */
function analyse(text: string): { category: string; severity: number }[] {
  const severity = (category: string, word: string) => {
    const match = new RegExp(`\\b${word}(\\d)\\b`, 'i').exec(text);
    return { category, severity: match ? Number(match[1]) : 0 };
  };
  return [
    severity('Hate', 'hateful'),
    severity('SelfHarm', 'selfharm'),
    severity('Sexual', 'sexual'),
    severity('Violence', 'violent'),
  ];
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
}

/**
 * A local stand-in for Azure AI Content Safety's `POST /contentsafety/text:analyze` (api-version 2024-09-01): a
 * bearer token is required, the body is `{ text, outputType }`, the answer `{ categoriesAnalysis: [{ category,
 * severity }] }`. "violent4" in a text scores Violence 4, and so on. `mode` simulates an outage or a slow service.
 */
export async function startContentSafetyStandIn(): Promise<ContentSafetyStandIn> {
  const requests: AnalyzeRequest[] = [];
  const standIn = { mode: 'normal' as StandInMode };
  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://stand-in');
    if (request.method !== 'POST' || url.pathname !== '/contentsafety/text:analyze') {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"NotFound"}}');
      return;
    }
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (!token) {
      response.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"code":"Unauthorized"}}');
      return;
    }
    const body = await readJson(request);
    const audience = decodeJwt(token).aud;
    requests.push({
      text: String(body.text),
      outputType: String(body.outputType),
      apiVersion: url.searchParams.get('api-version'),
      audience: typeof audience === 'string' ? audience : undefined,
    });
    if (standIn.mode === 'down') {
      response.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"code":"ServiceUnavailable"}}');
      return;
    }
    if (standIn.mode === 'slow') await new Promise((resolve) => setTimeout(resolve, 1_500));
    response
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ blocklistsMatch: [], categoriesAnalysis: analyse(String(body.text)) }));
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(standIn, {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
