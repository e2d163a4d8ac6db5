import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../../local/stack.js';
import { type Chatter, eventually, StackSession } from './support/chat-client.js';
import { type ContentSafetyStandIn, startContentSafetyStandIn } from './support/content-safety-stand-in.js';

/**
 * Content Safety needs settings the shared stack does not have, so each failure mode gets its own stack, pointed at
 * a local stand-in that speaks the service's REST shape.
 */
interface ContentSafetyStack {
  stack: Stack;
  session: StackSession;
  logs: string[];
  members: Chatter[];
}

async function startWith(standIn: ContentSafetyStandIn, failure: 'open' | 'closed'): Promise<ContentSafetyStack> {
  const logs: string[] = [];
  const stack = await startStack({
    log: (line) => logs.push(line),
    appSettings: {
      CONTENT_SAFETY_ENDPOINT: standIn.url,
      CONTENT_SAFETY_FAILURE: failure,
      CONTENT_SAFETY_TIMEOUT_MS: '400',
      // Violence refuses from severity 2 here; the other categories keep the default (4).
      CONTENT_SAFETY_THRESHOLDS: 'Violence=2',
    },
  });
  return { stack, session: new StackSession(stack.appUrl), logs, members: [] };
}

async function member(target: ContentSafetyStack, userId: string, room: string): Promise<Chatter> {
  const m = await target.session.chatter(userId);
  target.members.push(m);
  expect(await m.join(room)).toMatchObject({ type: 'joined', room });
  return m;
}

async function stop(target: ContentSafetyStack | undefined): Promise<void> {
  for (const m of target?.members ?? []) m.stop();
  await target?.stack.close();
}

let standIn: ContentSafetyStandIn;
let failOpen: ContentSafetyStack | undefined;
let failClosed: ContentSafetyStack | undefined;
beforeAll(async () => {
  standIn = await startContentSafetyStandIn();
  [failOpen, failClosed] = await Promise.all([startWith(standIn, 'open'), startWith(standIn, 'closed')]);
});
afterAll(async () => {
  await Promise.all([stop(failOpen), stop(failClosed)]);
  await standIn?.close();
});

describe('Azure AI Content Safety (local stand-in)', () => {
  it('analyses lines that pass the cheap filters, with the managed identity, and refuses at the thresholds', async () => {
    if (!failOpen) throw new Error('no stack');
    standIn.mode = 'normal';
    const ada = await member(failOpen, 'ada-ai', 'ai-room');
    const bo = await member(failOpen, 'bo-ai', 'ai-room');
    const before = standIn.requests.length;
    const clean = await ada.chat('ai-room', 'a calm line');
    expect(clean).toMatchObject({ type: 'accepted' });
    await eventually(() => bo.chats.find((m) => m.id === clean.id));
    expect(standIn.requests[before]).toEqual({
      text: 'a calm line',
      outputType: 'FourSeverityLevels',
      apiVersion: '2024-09-01',
      audience: 'https://cognitiveservices.azure.com',
    });

    expect(await ada.chat('ai-room', 'somewhat violent2 words')).toMatchObject({
      type: 'refused',
      rule: 'ai:Violence',
      message: 'Your message was refused by automatic content analysis (Violence).',
    });
    expect(await ada.chat('ai-room', 'a bit hateful2 only')).toMatchObject({ type: 'accepted' });
    expect(await ada.chat('ai-room', 'very hateful6 words')).toMatchObject({ type: 'refused', rule: 'ai:Hate' });
    // The cheap filters run first: profanity never reaches the service.
    const counted = standIn.requests.length;
    expect(await ada.chat('ai-room', 'you are a shit')).toMatchObject({ type: 'refused', rule: 'profanity' });
    expect(standIn.requests.length).toBe(counted);
  });

  it('fail-open delivers during an outage or a timeout, and logs every failure', async () => {
    if (!failOpen) throw new Error('no stack');
    const cy = await member(failOpen, 'cy-ai', 'ai-open');
    const di = await member(failOpen, 'di-ai', 'ai-open');
    for (const mode of ['down', 'slow'] as const) {
      standIn.mode = mode;
      const line = await cy.chat('ai-open', `during ${mode}`);
      expect(line).toMatchObject({ type: 'accepted' });
      await eventually(() => di.chats.find((m) => m.id === line.id));
    }
    standIn.mode = 'normal';
    const logs = failOpen.logs.filter((l) => l.includes('Content Safety unavailable, failing open'));
    expect(logs.some((l) => l.includes('answered 503'))).toBe(true);
    expect(logs.some((l) => l.includes('no answer within 400 ms'))).toBe(true);
  });

  it('fail-closed refuses during an outage (audited, logged), and chat resumes when the service is back', async () => {
    if (!failClosed) throw new Error('no stack');
    const ed = await member(failClosed, 'ed-ai', 'ai-closed');
    standIn.mode = 'down';
    expect(await ed.chat('ai-closed', 'while down')).toMatchObject({ type: 'refused', rule: 'ai-unavailable' });
    standIn.mode = 'normal';
    expect(await ed.chat('ai-closed', 'back again')).toMatchObject({ type: 'accepted' });
    expect(failClosed.logs.some((l) => l.includes('Content Safety unavailable, failing closed'))).toBe(true);
    const moderator = await failClosed.session.signIn('mod-ai', ['moderator']);
    const audit = (await (await failClosed.session.api('/api/moderate/audit', moderator)).json()) as {
      entries: { action: string; rule?: string; actor: string; target?: string }[];
    };
    expect(audit.entries).toContainEqual(
      expect.objectContaining({ action: 'refuse', rule: 'ai-unavailable', actor: 'policy', target: 'ed-ai' }),
    );
  });
});
