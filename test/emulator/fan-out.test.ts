import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/server.js';
import { connectClient, type RecordingSocket, serviceClient } from './helpers.js';

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator.close());

it('delivers concurrent group broadcasts exactly once and in order to every kind of client', async () => {
  const protocols = [undefined, 'json.webpubsub.azure.v1', 'json.reliable.webpubsub.azure.v1'];
  const clients: { client: RecordingSocket; protocol: string | undefined }[] = [];
  for (let batch = 0; batch < 5; batch++) {
    const opened = await Promise.all(
      Array.from({ length: 60 }, (_, index) => {
        const protocol = protocols[index % protocols.length];
        return connectClient(emulator, 'fanout', {
          groups: ['all'],
          ...(protocol ? { protocol } : {}),
        }).then(({ client }) => ({ client, protocol }));
      }),
    );
    clients.push(...opened);
  }
  const group = serviceClient(emulator, 'fanout').group('all');
  const rounds = 20;
  await Promise.all(Array.from({ length: rounds }, (_, round) => group.sendToAll({ round })));
  const roundsOf = ({ client, protocol }: (typeof clients)[number]) =>
    protocol === undefined
      ? client.frames.map((frame) => JSON.parse(frame.data as string).round)
      : client
          .json()
          .filter((frame) => frame.type === 'message')
          .map((frame) => (frame.data as { round: number }).round);
  for (const entry of clients) await entry.client.waitFor(() => roundsOf(entry).length >= rounds || undefined, 5000);
  const expected = roundsOf(clients[0] as (typeof clients)[number]);
  expect([...expected].sort((left, right) => left - right)).toEqual(
    Array.from({ length: rounds }, (_, round) => round),
  );
  for (const entry of clients) expect(roundsOf(entry)).toEqual(expected);
  const reliable = clients.find((entry) => entry.protocol?.includes('reliable'));
  const sequenceIds = reliable?.client
    .json()
    .filter((frame) => frame.type === 'message')
    .map((frame) => frame.sequenceId);
  expect(sequenceIds).toEqual(Array.from({ length: rounds }, (_, index) => index + 1));
  for (const { client } of clients) client.close();
});
