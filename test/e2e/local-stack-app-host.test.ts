import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Stack, startStack, upstreamAudience, webPubSubIdentity } from '../../local/stack.js';
import { isAlive } from '../unit/local/fixtures/process-tree.js';
import { callEventHandler, cloudEventHeaders, forgeUpstreamToken } from './support/upstream.js';

/** `stack.startAppHost()`, on a stack of this file's own: the benchmarks' second host for the same app. */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.close());

it('runs another Functions host with the same settings as the first, stopped with the stack', async () => {
  const second = await stack.startAppHost();
  expect(second.url).not.toBe(stack.appUrl);
  expect(second.pid).not.toBe(stack.appPid);
  const token = await stack.identity.issueToken({ resource: upstreamAudience, clientId: webPubSubIdentity.clientId });
  const forged = await forgeUpstreamToken(token);
  const chat = { headers: cloudEventHeaders({ type: 'user.chat', userId: 'alice' }), body: '{"text":"hello"}' };
  for (const appUrl of [stack.appUrl, second.url]) {
    // The same upstream identity settings: the service's token is accepted, a forged one is not.
    const accepted = await callEventHandler(appUrl, { ...chat, token });
    expect(accepted.status).toBe(200);
    expect(accepted.json).toMatchObject({ type: 'refused', rule: 'not-in-room' });
    const refused = await callEventHandler(appUrl, { ...chat, token: forged });
    expect(refused.status).toBe(401);
    expect(refused.json).toMatchObject({ code: 'InvalidToken' });
  }

  await stack.close();
  expect(isAlive(second.pid)).toBe(false);
  expect(isAlive(stack.appPid)).toBe(false);
});
