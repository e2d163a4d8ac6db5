import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/server.js';
import { connectClient, serviceClient, signedFetch } from './helpers.js';

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator.close());

const sendPath = '/api/hubs/faulty/:send?api-version=2024-12-01';
const send = () => signedFetch(emulator, 'POST', sendPath, { body: 'x', contentType: 'text/plain' });

it('fails every n-th matching request with the status and Retry-After, then recovers when cleared', async () => {
  emulator.setFaults({ status: 503, retryAfterSeconds: 0, everyNth: 2, match: /^POST .*\/:send$/ });
  const statuses: number[] = [];
  for (let attempt = 0; attempt < 4; attempt++) {
    const response = await send();
    statuses.push(response.status);
    if (response.status === 503) {
      expect(response.headers.get('retry-after')).toBe('0');
      // The service's 503 body is not recorded: the fault answers in its ErrorDetail shape, with an Error.* code.
      const body = (await response.json()) as Record<string, unknown>;
      expect(Object.keys(body).sort()).toEqual(['code', 'details', 'inner', 'message', 'target']);
      expect(response.headers.get('x-ms-error-code')).toBe(body.code);
      expect(body.code).toMatch(/^Error\./);
    }
  }
  expect(statuses).toEqual([202, 503, 202, 503]);
  const unmatched = await signedFetch(emulator, 'HEAD', '/api/hubs/faulty/users/u?api-version=2024-12-01');
  expect(unmatched.status).toBe(404);
  emulator.setFaults(undefined);
  expect((await send()).status).toBe(202);
});

it('lets the SDK retry through throttling and still deliver once', async () => {
  const { client } = await connectClient(emulator, 'faulty', { protocol: 'json.webpubsub.azure.v1' });
  emulator.setFaults({ status: 429, retryAfterSeconds: 0, everyNth: 2, match: /:send$/ });
  const hub = serviceClient(emulator, 'faulty');
  await hub.sendToAll('first', { contentType: 'text/plain' });
  await hub.sendToAll('second', { contentType: 'text/plain' });
  await client.waitFor(() => client.json().filter((frame) => frame.type === 'message').length === 2 || undefined);
  expect(
    client
      .json()
      .filter((frame) => frame.type === 'message')
      .map((frame) => frame.data),
  ).toEqual(['first', 'second']);
  // The second send was throttled (every 2nd matching call) and its retry went through: once, not twice.
  expect(emulator.faultsInjected()).toBe(1);
  emulator.setFaults(undefined);
  client.close();
});

it('resets the TCP connection when asked to', async () => {
  emulator.setFaults({ status: 503, reset: true, match: /:send$/ });
  await expect(send()).rejects.toThrow();
  emulator.setFaults(undefined);
  expect((await send()).status).toBe(202);
});
