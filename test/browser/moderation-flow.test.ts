import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildWeb } from '../../web/build.js';
import {
  launchChromium,
  openSignedIn,
  type RelayedSocket,
  relayWebPubSubSockets,
  type SignedInPage,
} from './support/browser.js';

// Every run saves its screenshots under test-results/; `UPDATE_SCREENSHOTS=1 npm run test:e2e` refreshes the README's.
const screenshotsDir = resolve(
  dirname(fileURLToPath(import.meta.url)),
  process.env.UPDATE_SCREENSHOTS === '1' ? '../../docs/screenshots' : '../../test-results/screenshots',
);
const appUrl = inject('stack').appUrl;

let browser: Browser;
let alice: SignedInPage;
let bob: SignedInPage;
let moderator: SignedInPage;

const chatEntry = (page: Page, text: string) => page.locator('#messages .entry--chat .entry__text', { hasText: text });
const notice = (page: Page, text: string) => page.locator('#messages .entry', { hasText: text });

async function send(page: Page, text: string): Promise<void> {
  const input = page.getByRole('textbox', { name: 'Message', exact: true });
  await input.fill(text);
  await input.press('Enter');
}

/** Sends a marker line and waits until `reader` has it: everything sent before it has had its chance to arrive. */
async function sendMarker(writer: Page, reader: Page, marker: string): Promise<void> {
  await send(writer, marker);
  await chatEntry(reader, marker).waitFor();
}

beforeAll(async () => {
  await buildWeb();
  browser = await launchChromium();
  alice = await openSignedIn(browser, { appUrl, path: '/', userId: 'alice' });
  await notice(alice.page, 'You are in room lobby').waitFor();
  bob = await openSignedIn(browser, { appUrl, path: '/', userId: 'bob' });
  await notice(bob.page, 'You are in room lobby').waitFor();
  moderator = await openSignedIn(browser, {
    appUrl,
    path: '/moderator.html',
    userId: 'mod-ui',
    viewport: { width: 1440, height: 1000 },
  });
});

afterAll(async () => {
  await browser?.close();
});

describe('chat pages and moderator console in Chromium', () => {
  it('shows who joined and carries messages between the two chat pages', async () => {
    await alice.page.locator('#messages .entry--presence', { hasText: 'bob joined lobby' }).waitFor();
    await expect(alice.page.locator('#connection-status').textContent()).resolves.toBe('Connected');

    await send(alice.page, 'hello bob');
    await chatEntry(bob.page, 'hello bob').waitFor();
    await send(bob.page, 'hi alice');
    await chatEntry(alice.page, 'hi alice').waitFor();
    // The sender's own line is marked as such; the input is cleared once the app accepted it.
    await expect(alice.page.locator('#messages .entry--own', { hasText: 'hello bob' }).count()).resolves.toBe(1);
    await expect(alice.page.getByRole('textbox', { name: 'Message', exact: true }).inputValue()).resolves.toBe('');
  });

  it('refuses a profane message with a visible reason, and the other page never shows it', async () => {
    await send(alice.page, 'you are a shit');
    const feedback = alice.page.locator('#feedback');
    await feedback.filter({ hasText: 'Profanity' }).waitFor();
    expect(await feedback.textContent()).toMatch(/^Not sent: Profanity\. .+/);
    // The refused text stays in the box to be edited.
    await expect(alice.page.getByRole('textbox', { name: 'Message', exact: true }).inputValue()).resolves.toBe(
      'you are a shit',
    );

    // Markup is the marker here too; the policy allows 5 lines per 10 s per connection, so the suite spends them well.
    const script = '<script>alert(1)</script><img src=x onerror="alert(2)">';
    await sendMarker(alice.page, bob.page, script);
    await expect(chatEntry(bob.page, 'shit').count()).resolves.toBe(0);
    await expect(chatEntry(alice.page, 'shit').count()).resolves.toBe(0);
    await expect(feedback.textContent()).resolves.toBe('');
  });

  it('shows markup as text: a script message runs nothing', async () => {
    const script = '<script>alert(1)</script><img src=x onerror="alert(2)">';
    expect(await chatEntry(bob.page, '<script>').first().textContent()).toBe(script);
    for (const page of [alice, bob]) {
      await expect(page.page.locator('#messages script, #messages img').count()).resolves.toBe(0);
      expect(page.dialogs).toEqual([]);
      expect(page.errors).toEqual([]);
    }
  });

  it('shows when the browser goes offline, and delivers what was held back once, when it is online again', async () => {
    await alice.context.setOffline(true);
    const status = alice.page.locator('#connection-status');
    await status.filter({ hasText: 'Offline' }).waitFor();
    await send(bob.page, 'sent while alice was offline');
    await alice.context.setOffline(false);
    await chatEntry(alice.page, 'sent while alice was offline').waitFor();
    await status.filter({ hasText: 'Connected' }).waitFor();
    await sendMarker(bob.page, alice.page, 'after the outage');
    for (const text of ['hello bob', 'hi alice', 'sent while alice was offline']) {
      await expect(chatEntry(alice.page, text).count()).resolves.toBe(1);
    }
  });

  it('recovers a dropped socket without losing or repeating a line, and shows a redelivered line once', async () => {
    let sockets: RelayedSocket[] = [];
    const carol = await openSignedIn(browser, {
      appUrl,
      path: '/',
      userId: 'carol',
      prepare: async (context) => {
        sockets = await relayWebPubSubSockets(context);
      },
    });
    try {
      await notice(carol.page, 'You are in room lobby').waitFor();
      await sendMarker(alice.page, carol.page, 'before the drop');
      const first = sockets[0];
      if (!first) throw new Error('the page opened no WebSocket');
      await first.drop();
      await send(alice.page, 'during the drop');
      await chatEntry(carol.page, 'during the drop').waitFor();
      // The client recovered the same session on a new socket rather than starting over.
      expect(sockets.length).toBe(2);
      expect(sockets[1]?.page.url()).toContain('awps_reconnection_token=');

      // The service may deliver a line again (e.g. a resend after recovery): the page shows it once.
      const original = first.received.find((frame) => frame.includes('before the drop'));
      if (!original) throw new Error('the chat line was not seen on the socket');
      const replay = { ...JSON.parse(original), sequenceId: 1_000_000 };
      const fresh = {
        ...replay,
        sequenceId: 1_000_001,
        data: { ...replay.data, id: 'replay-check', text: 'a new line after the replay' },
      };
      sockets[1]?.page.send(JSON.stringify(replay));
      sockets[1]?.page.send(JSON.stringify(fresh));
      await chatEntry(carol.page, 'a new line after the replay').waitFor();
      for (const text of ['before the drop', 'during the drop']) {
        await expect(chatEntry(carol.page, text).count()).resolves.toBe(1);
      }
      expect(carol.errors).toEqual([]);
    } finally {
      await carol.context.close();
    }
  });

  it('lists the rooms and who is in them, and streams the room live in the console', async () => {
    const { page } = moderator;
    await page.getByRole('button', { name: /lobby/ }).click();
    await page.locator('#roster tr', { hasText: 'alice' }).waitFor();
    await page.locator('#roster tr', { hasText: 'bob' }).waitFor();
    await send(alice.page, 'the console can read this');
    await page.locator('#stream .entry--chat', { hasText: 'the console can read this' }).waitFor();
  });

  it('announces to everyone and to the watched room, and both chat pages show it', async () => {
    const { page } = moderator;
    await page.getByRole('textbox', { name: 'Message' }).fill('Maintenance at noon.');
    await page.getByRole('button', { name: 'Announce' }).click();
    await page.locator('#action-status', { hasText: 'Announced to everyone' }).waitFor();
    await page.getByRole('radio', { name: 'Room lobby' }).check();
    await page.getByRole('textbox', { name: 'Message' }).fill('Please keep it friendly in the lobby.');
    await page.getByRole('button', { name: 'Announce' }).click();
    for (const chat of [alice.page, bob.page]) {
      await chat.locator('#messages .entry--announcement', { hasText: 'Maintenance at noon.' }).waitFor();
      await chat.locator('#messages .entry--announcement', { hasText: 'Please keep it friendly' }).waitFor();
    }
  });

  it('evicts bob with a reason: his page says why and he cannot rejoin while banned; the audit shows it', async () => {
    const { page } = moderator;
    const row = page.locator('#roster tr', { hasText: 'bob' });
    await row.getByLabel('Reason for evicting bob').fill('spamming links');
    await row.getByLabel(/Ban bob for how many minutes/).fill('5');
    await row.getByRole('button', { name: 'Evict bob' }).click();
    await page.locator('#action-status', { hasText: 'Evicted bob from lobby' }).waitFor();

    const banner = bob.page.locator('#banner');
    const status = bob.page.locator('#connection-status');
    await status.filter({ hasText: 'Banned' }).waitFor();
    expect(await banner.textContent()).toMatch(/banned until .*spamming links/);
    await expect(bob.page.getByRole('button', { name: 'Send' }).isDisabled()).resolves.toBe(true);

    // Trying again while the ban lasts is refused, and says so.
    const [negotiate] = await Promise.all([
      bob.page.waitForResponse((response) => response.url().includes('/api/negotiate')),
      bob.page.getByRole('button', { name: 'Check again' }).click(),
    ]);
    expect(negotiate.status()).toBe(403);
    await status.filter({ hasText: 'Banned' }).waitFor();
    expect(await banner.textContent()).toMatch(/banned until .*spamming links/);

    await page.locator('#roster tr', { hasText: 'bob' }).waitFor({ state: 'detached' });
    await page.locator('#bans tr', { hasText: 'bob' }).filter({ hasText: 'spamming links' }).waitFor();
    const auditRow = page.locator('#audit tr', { hasText: 'evict' }).filter({ hasText: 'bob' }).first();
    await auditRow.waitFor();
    expect(await auditRow.textContent()).toContain('mod-ui');
    expect(await page.locator('#audit tr').first().textContent()).toMatch(/ban|evict/);

    // Alice's chat goes on.
    await expect(alice.page.locator('#connection-status').textContent()).resolves.toBe('Connected');
  });

  it('saves screenshots of the chat page and the console', async () => {
    await mkdir(screenshotsDir, { recursive: true });
    await alice.page.screenshot({ path: resolve(screenshotsDir, 'chat.png') });
    await moderator.page.screenshot({ path: resolve(screenshotsDir, 'moderator.png'), fullPage: true });
    for (const page of [alice, bob, moderator]) expect(page.errors).toEqual([]);
  });

  it('unbans bob from the console, and his page gets back into the room', async () => {
    const { page } = moderator;
    await page.getByRole('button', { name: 'Unban bob' }).click();
    await page.locator('#action-status', { hasText: 'Unbanned bob.' }).waitFor();
    await page.locator('#bans tr', { hasText: 'bob' }).waitFor({ state: 'detached' });

    await bob.page.getByRole('button', { name: 'Check again' }).click();
    await bob.page.locator('#connection-status', { hasText: 'Connected' }).waitFor();
    await expect(bob.page.locator('#banner').isHidden()).resolves.toBe(true);
    await page.locator('#roster tr', { hasText: 'bob' }).waitFor();
    await sendMarker(bob.page, alice.page, 'bob is back');
  });

  it('pages through the audit log, newest first, with Older and Newer', async () => {
    const { page, context } = moderator;
    // Announcements to an empty room are cheap audit entries: enough for a second page.
    for (let n = 1; n <= 16; n++) {
      const response = await context.request.post('/api/announce', {
        data: { message: `filler ${n}`, room: 'empty-room' },
      });
      expect(response.status()).toBe(200);
    }
    const rows = page.locator('#audit tr');
    await rows.first().filter({ hasText: 'filler 16' }).waitFor();
    await expect(rows.count()).resolves.toBe(15);
    const newer = page.getByRole('button', { name: 'Newer' });
    await expect(newer.isDisabled()).resolves.toBe(true);

    await page.getByRole('button', { name: 'Older' }).click();
    await page.locator('#audit-page', { hasText: 'Page 2' }).waitFor();
    await expect(rows.first().locator('.cell-reason').textContent()).resolves.toBe('filler 1');
    await expect(page.locator('#audit tr', { hasText: 'filler 16' }).count()).resolves.toBe(0);
    await page.locator('#audit tr', { hasText: 'spamming links' }).first().waitFor();

    await newer.click();
    await page.locator('#audit-page', { hasText: 'Page 1' }).waitFor();
    await rows.first().filter({ hasText: 'filler 16' }).waitFor();
  });

  it('shows the policy escalating: refusals, then muted, then removed and banned', async () => {
    const dave = await openSignedIn(browser, { appUrl, path: '/', userId: 'dave' });
    try {
      const { page } = dave;
      await notice(page, 'You are in room lobby').waitFor();
      const feedback = page.locator('#feedback');
      const banner = page.locator('#banner');

      await send(page, 'forbiddenword one');
      await feedback.filter({ hasText: 'Not sent: Blocked word.' }).waitFor();
      await expect(banner.isHidden()).resolves.toBe(true);

      await send(page, 'a secret   phrase');
      await banner.filter({ hasText: 'You are muted' }).waitFor();
      await send(page, 'hello?');
      await feedback.filter({ hasText: 'Not sent: Muted.' }).waitFor();

      await page.waitForTimeout(1_100); // MODERATION_MUTE_SECONDS=1 in the test stack
      // The third strike removes the connection before its refusal can arrive, and bans the user.
      await send(page, 'forbiddenword three');
      await page.locator('#connection-status', { hasText: 'Banned' }).waitFor();
      expect(await banner.textContent()).toMatch(/You are banned until \d/);
      await expect(page.getByRole('textbox', { name: 'Message', exact: true }).isDisabled()).resolves.toBe(true);
      expect(dave.errors).toEqual([]);
    } finally {
      await dave.context.close();
    }
  });

  it('keeps the console from a signed-in user without the moderator role', async () => {
    const page = await alice.context.newPage();
    try {
      await page.goto('/moderator.html');
      await page.getByRole('heading', { name: 'Moderators only' }).waitFor();
      expect(await page.locator('#forbidden-text').textContent()).toContain('alice');
      await expect(page.locator('#console').isHidden()).resolves.toBe(true);
    } finally {
      await page.close();
    }
  });
});
