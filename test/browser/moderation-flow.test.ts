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

/** Shows one of the console's tabs (each keeps its panel hidden until chosen). */
async function openTab(page: Page, name: string): Promise<void> {
  await page.getByRole('tab', { name }).click();
  await page.getByRole('tab', { name, selected: true }).waitFor();
}

async function saveScreenshot(page: Page, name: string, fullPage = false): Promise<void> {
  await mkdir(screenshotsDir, { recursive: true });
  // A focus ring left by the test's typing is not part of the picture.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.screenshot({ path: resolve(screenshotsDir, `${name}.png`), fullPage });
}

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
    viewport: { width: 1440, height: 900 },
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
    expect(await feedback.textContent()).toMatch(/^Not sent: Profanity\. .+ \(strikes so far: 1\)$/);
    // The refused text stays in the box to be edited.
    await expect(alice.page.getByRole('textbox', { name: 'Message', exact: true }).inputValue()).resolves.toBe(
      'you are a shit',
    );

    // Markup is the marker here too; the policy allows 5 lines per 10 s per connection, so the suite spends them well.
    const script = '<script>alert(1)</script><img src=x onerror="alert(2)">';
    await sendMarker(alice.page, bob.page, script);
    await expect(chatEntry(bob.page, 'shit').count()).resolves.toBe(0);
    await expect(chatEntry(alice.page, 'shit').count()).resolves.toBe(0);
    // The app's `accepted` may reach alice just after bob has the line: then the refusal goes.
    await alice.page.waitForFunction(() => document.getElementById('feedback')?.textContent === '');
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
    await openTab(page, 'Sanctions');
    const banRow = page.locator('#bans tr', { hasText: 'bob' }).filter({ hasText: 'spamming links' });
    await banRow.waitFor();
    expect(await banRow.textContent()).toContain('Whole app');
    await openTab(page, 'Audit log');
    const auditRow = page.locator('#audit tr', { hasText: 'evict' }).filter({ hasText: 'bob' }).first();
    await auditRow.waitFor();
    expect(await auditRow.textContent()).toContain('mod-ui');
    expect(await page.locator('#audit tr').first().textContent()).toMatch(/ban|evict/);

    // Alice's chat goes on.
    await expect(alice.page.locator('#connection-status').textContent()).resolves.toBe('Connected');
  });

  it('unbans bob from the console, and his page gets back into the room', async () => {
    const { page } = moderator;
    await openTab(page, 'Sanctions');
    await page.getByRole('button', { name: 'Unban bob in the whole app' }).click();
    await page.locator('#action-status', { hasText: 'Unbanned bob in the whole app.' }).waitFor();
    await page.locator('#bans tr', { hasText: 'bob' }).waitFor({ state: 'detached' });

    await bob.page.getByRole('button', { name: 'Check again' }).click();
    await bob.page.locator('#connection-status', { hasText: 'Connected' }).waitFor();
    await expect(bob.page.locator('#banner').isHidden()).resolves.toBe(true);
    await openTab(page, 'Room');
    await page.locator('#roster tr', { hasText: 'bob' }).waitFor();
    await sendMarker(bob.page, alice.page, 'bob is back');
  });

  it('pages through the audit log, newest first, with Older and Newer', async () => {
    const { page, context } = moderator;
    await openTab(page, 'Audit log');
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

describe('deep moderation through the console and the chat pages', () => {
  it('refuses an unsafe regex with the reason, and a room rule added in the console refuses the next match, naming it', async () => {
    const erin = await openSignedIn(browser, { appUrl, path: '/?room=rules-room', userId: 'erin' });
    try {
      await notice(erin.page, 'You are in room rules-room').waitFor();
      const { page } = moderator;
      await openTab(page, 'Rules');
      await page.getByLabel('Kind').selectOption({ label: 'Regular expression' });
      const pattern = page.getByRole('textbox', { name: 'Pattern', exact: true });
      // A backreference: the linear-time engine cannot run it.
      await pattern.fill(String.raw`(x)\1`);
      await page.getByRole('button', { name: 'Add rule' }).click();
      await page.locator('#rule-error', { hasText: /^Not added: pattern: backreferences are not supported/ }).waitFor();
      await expect(pattern.getAttribute('aria-invalid')).resolves.toBe('true');

      await pattern.fill(String.raw`free\s+crypto\s+\d+`);
      await page.getByRole('textbox', { name: 'Room', exact: true }).fill('rules-room');
      await page.getByRole('button', { name: 'Add rule' }).click();
      await page.locator('#action-status', { hasText: 'Added rule' }).waitFor();
      await expect(page.locator('#rule-error').textContent()).resolves.toBe('');
      const row = page.locator('#rules tr', { hasText: 'crypto' });
      await row.filter({ hasText: 'Room rules-room' }).waitFor();
      const id = await row.locator('.rule-id').textContent();
      expect(id).toMatch(/^[0-9a-f]{12}$/);

      await send(erin.page, 'get FREE crypto 100 today');
      const feedback = erin.page.locator('#feedback');
      await feedback.filter({ hasText: `Blocked by a moderation rule (${id})` }).waitFor();
      expect(await feedback.textContent()).not.toContain('\\s');

      // Deleting the rule lets the same line through.
      await row.getByRole('button', { name: `Delete rule ${id}` }).click();
      await row.waitFor({ state: 'detached' });
      await send(erin.page, 'get FREE crypto 100 today');
      await chatEntry(erin.page, 'get FREE crypto 100 today').waitFor();
      expect(erin.errors).toEqual([]);
    } finally {
      await erin.context.close();
    }
  });

  it('a report reaches the review queue with the flag and the reporter; deleting removes the line from both pages', async () => {
    const { page } = moderator;
    await openTab(page, 'Rules');
    await page.getByLabel('Kind').selectOption({ label: 'Word or phrase' });
    await page.getByRole('textbox', { name: 'Pattern', exact: true }).fill('giveaway');
    await page.getByRole('radio', { name: 'Deliver and flag for review' }).check();
    await page.getByRole('textbox', { name: 'Room', exact: true }).fill('lobby');
    await page.getByRole('button', { name: 'Add rule' }).click();
    await page.locator('#rules tr', { hasText: 'giveaway' }).filter({ hasText: 'Flag for review' }).waitFor();

    const text = 'giveaway tickets for everyone, DM me';
    await sendMarker(bob.page, alice.page, text);
    // The line after it comes from a chatter of its own: the tests before may have spent alice's and bob's budgets
    // (5 lines in 10 s), depending on how fast they ran.
    const grace = await openSignedIn(browser, { appUrl, path: '/', userId: 'grace' });
    await notice(grace.page, 'You are in room lobby').waitFor();
    await sendMarker(grace.page, alice.page, 'anyone want tickets?');
    await alice.page
      .locator('#messages .entry--chat', { hasText: text })
      .getByRole('button', { name: /^Report the message from bob/ })
      .click();
    const dialog = alice.page.getByRole('dialog', { name: 'Report a message' });
    await dialog.waitFor();
    expect(await dialog.locator('#report-quote').textContent()).toBe(`bob: ${text}`);
    await dialog.getByRole('textbox', { name: 'What is wrong with it?' }).fill('spam');
    await saveScreenshot(alice.page, 'chat-report');
    await dialog.getByRole('button', { name: 'Send report' }).click();
    await alice.page.locator('#confirmation', { hasText: 'the moderators will review' }).waitFor();
    await alice.page.getByRole('button', { name: /^Reported the message from bob/ }).waitFor();
    await expect(alice.page.locator('#feedback').textContent()).resolves.toBe('');

    await openTab(page, 'Review queue');
    const item = page.locator('#queue .queue-item', { hasText: text });
    await item.filter({ hasText: 'Reported by alice' }).waitFor();
    const reasons = await item.locator('.queue-item__why li').allTextContents();
    expect(reasons).toEqual([
      expect.stringMatching(/^Flagged by rule [0-9a-f]{12}: word “giveaway”$/),
      expect.stringMatching(/^Reported by alice \(.+\): spam$/),
    ]);
    expect(await page.locator('#queue-count').textContent()).toBe('1');
    // The line in its conversation: the room's lines before it, the line itself marked, and the reply after it.
    await item.locator('.queue-context li', { hasText: 'anyone want tickets?' }).waitFor();
    const conversation = await item.locator('.queue-context li').allTextContents();
    const queued = conversation.findIndex((line) => line.includes(text));
    expect(queued).toBeGreaterThan(0);
    expect(conversation[queued + 1]).toContain('anyone want tickets?');
    await expect(item.locator('.queue-context__line--queued').textContent()).resolves.toContain(text);
    await saveScreenshot(page, 'moderator-queue');

    await item.getByRole('button', { name: "Delete bob's message for everyone" }).click();
    await page.locator('#action-status', { hasText: "Deleted bob's message for everyone in lobby." }).waitFor();
    for (const chat of [alice.page, bob.page]) {
      await chat.locator('#messages .entry--deleted', { hasText: 'Message removed by a moderator' }).waitFor();
      await expect(chatEntry(chat, text).count()).resolves.toBe(0);
    }
    // The console's live stream (on the hidden Room tab) honours the deletion too.
    await page.locator('#stream .entry--deleted').waitFor({ state: 'attached' });
    await item.waitFor({ state: 'detached' });
    await page.locator('#queue-empty').waitFor();
    await grace.context.close();
  });

  it('slow mode set in the console refuses a quick second message', async () => {
    const frank = await openSignedIn(browser, { appUrl, path: '/?room=slow-room', userId: 'frank' });
    try {
      await notice(frank.page, 'You are in room slow-room').waitFor();
      const { page } = moderator;
      await openTab(page, 'Room');
      await page.getByLabel('Open a room by name').fill('slow-room');
      await page.getByRole('button', { name: 'Open', exact: true }).click();
      await page.locator('#settings-room', { hasText: 'slow-room' }).waitFor();
      await page.locator('#settings-fields:not([disabled])').waitFor();
      await expect(page.locator('#settings-updated').textContent()).resolves.toMatch(/defaults/);
      const slowMode = page.getByRole('spinbutton', { name: 'Slow mode' });
      await slowMode.fill('30');
      await page.getByRole('button', { name: 'Save limits' }).click();
      await page.locator('#action-status', { hasText: 'Saved the limits of slow-room: slow mode 30 s' }).waitFor();
      await page.locator('#settings-updated', { hasText: 'Last changed by mod-ui' }).waitFor();

      await send(frank.page, 'first, and quick');
      await chatEntry(frank.page, 'first, and quick').waitFor();
      await send(frank.page, 'second, too quick');
      await frank.page.locator('#feedback', { hasText: /^Not sent: Slow mode\. .*30 seconds/ }).waitFor();
      await expect(chatEntry(frank.page, 'second, too quick').count()).resolves.toBe(0);
    } finally {
      await frank.context.close();
    }
    await moderator.page.getByRole('button', { name: /lobby/ }).click();
  });

  it('a shadow ban from the console: the author still sees the line, the other page never does; lifting it ends that', async () => {
    const { page } = moderator;
    await openTab(page, 'Sanctions');
    await page.getByLabel('Sanction', { exact: true }).selectOption({ label: 'Shadow ban' });
    await page.getByRole('textbox', { name: 'User', exact: true }).fill('alice');
    await page.getByRole('textbox', { name: 'Room', exact: true }).fill('lobby');
    await page.getByRole('textbox', { name: 'Reason', exact: true }).fill('testing the shadow');
    await page.getByRole('button', { name: 'Shadow ban', exact: true }).click();
    await page.locator('#action-status', { hasText: 'Shadow-banned alice in lobby until' }).waitFor();
    const row = page.locator('#shadow-bans tr', { hasText: 'alice' });
    await row.filter({ hasText: 'Room lobby' }).waitFor();

    await send(alice.page, 'can anyone hear me?');
    await alice.page.locator('#messages .entry--own', { hasText: 'can anyone hear me?' }).waitFor();
    await sendMarker(bob.page, alice.page, 'bob speaks after the shadow line');
    await chatEntry(bob.page, 'bob speaks after the shadow line').waitFor();
    await expect(chatEntry(bob.page, 'can anyone hear me?').count()).resolves.toBe(0);
    // Alice is not told.
    await expect(alice.page.locator('#feedback').textContent()).resolves.toBe('');
    await expect(alice.page.locator('#banner').isHidden()).resolves.toBe(true);

    await row.getByRole('button', { name: 'Lift the shadow ban on alice in lobby' }).click();
    await row.waitFor({ state: 'detached' });
    await sendMarker(alice.page, bob.page, 'alice is heard again');
  });

  it("a mute from the console refuses the user's lines in that room until a moderator unmutes", async () => {
    const { page } = moderator;
    await openTab(page, 'Sanctions');
    await page.getByLabel('Sanction', { exact: true }).selectOption({ label: 'Mute' });
    const room = page.getByRole('textbox', { name: 'Room', exact: true });
    await expect(room.evaluate((input: HTMLInputElement) => input.required)).resolves.toBe(true);
    await page.getByRole('textbox', { name: 'User', exact: true }).fill('bob');
    await room.fill('lobby');
    await page.getByRole('spinbutton', { name: 'Minutes' }).fill('15');
    await page.getByRole('textbox', { name: 'Reason', exact: true }).fill('too loud');
    await page.getByRole('button', { name: 'Mute', exact: true }).click();
    const row = page.locator('#mutes tr', { hasText: 'bob' }).filter({ hasText: 'too loud' });
    await row.waitFor();
    expect(await row.textContent()).toContain('Room lobby');
    await saveScreenshot(page, 'moderator-sanctions');

    await send(bob.page, 'can I still talk?');
    await bob.page.locator('#feedback', { hasText: 'Not sent: Muted.' }).waitFor();
    await bob.page.locator('#banner-text', { hasText: /^You are muted: .*too loud$/ }).waitFor();
    await row.getByRole('button', { name: 'Unmute bob in lobby' }).click();
    await row.waitFor({ state: 'detached' });
    await sendMarker(bob.page, alice.page, 'bob can talk again');
    await bob.page.locator('#banner').waitFor({ state: 'hidden' });
  });

  it('a room ban from the console tells the user, refuses a rejoin with the rule, and unbanning lets them back', async () => {
    const { page } = moderator;
    await openTab(page, 'Sanctions');
    await page.getByLabel('Sanction', { exact: true }).selectOption({ label: 'Ban' });
    await page.getByRole('textbox', { name: 'User', exact: true }).fill('bob');
    await page.getByRole('textbox', { name: 'Room', exact: true }).fill('lobby');
    await page.getByRole('spinbutton', { name: 'Minutes' }).fill('30');
    await page.getByRole('textbox', { name: 'Reason', exact: true }).fill('cool off');
    await page.getByRole('button', { name: 'Ban', exact: true }).click();
    const row = page.locator('#bans tr', { hasText: 'bob' }).filter({ hasText: 'Room lobby' });
    await row.waitFor();

    const banner = bob.page.locator('#banner');
    await banner.filter({ hasText: /You are banned from lobby until .+: cool off/ }).waitFor();
    await notice(bob.page, 'You were removed from room lobby').waitFor();
    await expect(bob.page.locator('#room-name').textContent()).resolves.toBe('(none)');
    await bob.page.getByRole('button', { name: 'Join' }).click();
    await bob.page.locator('#feedback', { hasText: 'Not joined lobby: Banned from this room.' }).waitFor();
    await expect(bob.page.locator('#connection-status').textContent()).resolves.toBe('Connected');

    await row.getByRole('button', { name: 'Unban bob in lobby' }).click();
    await row.waitFor({ state: 'detached' });
    await bob.page.getByRole('button', { name: 'Join' }).click();
    await banner.waitFor({ state: 'hidden' });
    await sendMarker(bob.page, alice.page, 'bob is back in the lobby');
  });

  it('works from the keyboard: console tabs with arrow keys, the report dialog with Escape back to its button', async () => {
    const { page } = moderator;
    await openTab(page, 'Room');
    await page.keyboard.press('ArrowRight');
    await page.getByRole('tab', { name: 'Review queue', selected: true }).waitFor();
    await expect(page.locator('#panel-queue').isVisible()).resolves.toBe(true);
    await page.keyboard.press('End');
    await page.getByRole('tab', { name: 'Insights', selected: true }).waitFor();
    await page.keyboard.press('Home');
    await page.getByRole('tab', { name: 'Room', selected: true }).waitFor();
    const focusedTab = await page.evaluate(() => document.activeElement?.id);
    expect(focusedTab).toBe('tab-room');

    const report = alice.page.getByRole('button', { name: /^Report the message from bob/ }).last();
    await report.focus();
    await alice.page.keyboard.press('Enter');
    const reason = alice.page.getByRole('textbox', { name: 'What is wrong with it?' });
    await expect(reason.evaluate((element) => element === document.activeElement)).resolves.toBe(true);
    await alice.page.keyboard.press('Escape');
    await alice.page.getByRole('dialog').waitFor({ state: 'hidden' });
    await expect(report.evaluate((element) => element === document.activeElement)).resolves.toBe(true);
  });

  it("opens a person's page from any user id: strikes, sanctions, the audit; mute and lift from there", async () => {
    const { page } = moderator;
    await openTab(page, 'Audit log');
    // The element itself: newer audit rows about bob come in above it while the page is open.
    const opener = await page.locator('#audit button[data-user="bob"]').first().elementHandle();
    if (!opener) throw new Error('no user id of bob in the audit log');
    await opener.click();
    const dialog = page.getByRole('dialog', { name: 'bob' });
    await dialog.waitFor();
    await dialog.locator('#person-rooms li', { hasText: 'lobby:' }).waitFor();
    // Their latest lines, from the row the chat path writes on each line anyway.
    await dialog.locator('#person-lines li', { hasText: 'bob is back' }).first().waitFor();
    await expect(dialog.locator('#person-audit li').count()).resolves.toBeGreaterThan(0);
    await dialog.getByLabel('Action').selectOption('mute');
    await dialog.getByLabel('Room (empty: the whole app; a mute needs one)').fill('lobby');
    await dialog.getByLabel('Minutes').fill('5');
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await dialog.locator('#person-sanctions li', { hasText: 'Muted' }).waitFor();
    await saveScreenshot(page, 'moderator-person');
    await dialog.getByRole('button', { name: /^Lift: Muted/ }).click();
    await dialog.locator('#person-sanctions li', { hasText: 'None.' }).waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await expect(opener.evaluate((element) => element === document.activeElement)).resolves.toBe(true);
  });

  it('triages the queue from the keyboard (j, k, d, ?) and dismisses several at once', async () => {
    const { page } = moderator;
    // A chatter of its own, whose rate limit no other test has spent.
    const carol = await openSignedIn(browser, { appUrl, path: '/', userId: 'carol' });
    await notice(carol.page, 'You are in room lobby').waitFor();
    for (const n of [1, 2, 3]) await sendMarker(carol.page, alice.page, `giveaway number ${n} for you`);
    await openTab(page, 'Review queue');
    const items = page.locator('#queue .queue-item');
    await expect.poll(() => items.count(), { timeout: 10_000 }).toBe(3);

    await page.locator('#queue-title').focus();
    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Review queue shortcuts' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: 'Review queue shortcuts' }).waitFor({ state: 'hidden' });

    await page.locator('#queue-title').focus();
    const focusedIndex = () =>
      page.evaluate(() =>
        Array.from(document.querySelectorAll('#queue .queue-item')).indexOf(document.activeElement as Element),
      );
    await page.keyboard.press('j');
    expect(await focusedIndex()).toBe(0);
    await page.keyboard.press('j');
    expect(await focusedIndex()).toBe(1);
    await page.keyboard.press('k');
    expect(await focusedIndex()).toBe(0);
    await page.keyboard.press('d');
    await page.locator('#action-status', { hasText: "Dismissed the review of carol's message." }).waitFor();
    await expect.poll(() => items.count()).toBe(2);

    for (const box of await page.locator('#queue .queue-select').all()) await box.check();
    await page.getByRole('button', { name: 'Dismiss selected (2)' }).click();
    await page.locator('#action-status', { hasText: 'Dismissed 2 items of the review queue.' }).waitFor();
    await expect.poll(() => items.count()).toBe(0);
    await carol.context.close();
  });

  it('pushes queue changes to the console through Web PubSub, not only its poll', async () => {
    let sockets: RelayedSocket[] = [];
    const live = await openSignedIn(browser, {
      appUrl,
      path: '/moderator.html',
      userId: 'mod-live',
      prepare: async (context) => {
        sockets = await relayWebPubSubSockets(context);
      },
    });
    await live.page.locator('#console-tabs').waitFor();
    await expect.poll(() => sockets.length, { timeout: 10_000 }).toBeGreaterThan(0);
    const text = 'giveaway: pushed to the consoles';
    await sendMarker(alice.page, bob.page, text);
    // The flag rule queues it; the console's own connection hears of it as a group message of the moderators' group.
    await expect
      .poll(() => sockets.some((socket) => socket.received.some((frame) => frame.includes('queue-changed'))), {
        timeout: 10_000,
      })
      .toBe(true);
    await live.page.locator('#queue .queue-item', { hasText: text }).waitFor({ state: 'attached' });

    // Watching a room, the console loses its session for good: it comes back through a fresh negotiate (a room's URL
    // would not put it back in the moderators' group) and still hears of queue changes.
    await openTab(live.page, 'Room');
    await live.page.locator('.room-button', { hasText: 'lobby' }).click();
    await live.page.locator('#stream .entry', { hasText: 'Watching room lobby.' }).waitFor({ state: 'attached' });
    await expect.poll(() => sockets.at(-1)?.received.some((frame) => frame.includes('"joined"'))).toBe(true);
    const before = sockets.length;
    await sockets.at(-1)?.lose();
    // The client first tries to recover the session (a URL with its reconnection token), which the service refuses.
    const fresh = () => sockets.slice(before).find((socket) => !socket.page.url().includes('awps_reconnection_token='));
    await expect.poll(fresh, { timeout: 15_000 }).toBeDefined();
    const comeback = fresh();
    const token = new URL(comeback?.page.url() ?? 'http://none').searchParams.get('access_token') ?? '';
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString());
    expect(claims['webpubsub.group']).toEqual(expect.arrayContaining(['~moderators']));
    await expect
      .poll(() => comeback?.received.some((frame) => frame.includes('"joined"')), { timeout: 10_000 })
      .toBe(true);
    const again = 'giveaway: heard after the comeback';
    await sendMarker(bob.page, alice.page, again);
    await expect
      .poll(() => comeback?.received.some((frame) => frame.includes('queue-changed')), { timeout: 10_000 })
      .toBe(true);
    await live.context.close();
  });

  it('searches recent lines by text and author, in the room or in every room', async () => {
    const { page } = moderator;
    await openTab(page, 'Room');
    await page.locator('.room-button', { hasText: 'lobby' }).click();
    await page.locator('#search-text').fill('HELLO BOB');
    await page.getByLabel('Author', { exact: true }).fill('alice');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator('#search-results li', { hasText: 'hello bob' }).waitFor();
    const authors = await page.locator('#search-results button[data-user]').allTextContents();
    expect(new Set(authors)).toEqual(new Set(['alice']));
    // One author in every room: their own latest lines, each with its room.
    await page.getByLabel('Where').selectOption('all');
    await page.locator('#search-text').fill('back');
    await page.getByLabel('Author', { exact: true }).fill('bob');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator('#search-results li', { hasText: 'bob is back' }).first().waitFor();
    await expect(page.locator('#search-status').textContent()).resolves.toMatch(/^\d+ lines? in \d+ rooms?\.$/);
    // Anyone in every room.
    await page.getByLabel('Author', { exact: true }).fill('');
    await page.locator('#search-text').fill('hello');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator('#search-results li', { hasText: 'hello bob' }).first().waitFor();
    await expect(page.locator('#search-results .found-line__room').first().textContent()).resolves.toBe('lobby');
  });

  it('draws the insights as charts, with the numbers as text for screen readers', async () => {
    const { page } = moderator;
    await openTab(page, 'Insights');
    // The app writes its counters every 5 s; the tab reads them again on every refresh of the console.
    const totals = page.locator('#insights-totals');
    await expect
      .poll(async () => Number(/(\d+) delivered/.exec((await totals.textContent()) ?? '')?.[1] ?? 0), {
        timeout: 20_000,
      })
      .toBeGreaterThan(0);
    await expect(totals.textContent()).resolves.toMatch(/All rooms, last hour: \d+ delivered, \d+ refused/);
    // uPlot draws on canvas; the legend carries the series' names (and values under the cursor).
    await expect(page.locator('#insights-lines canvas').count()).resolves.toBeGreaterThan(0);
    await expect(page.locator('#insights-lines .u-legend').textContent()).resolves.toMatch(/Delivered.*Refused/);
    await expect(page.locator('#insights-rooms tbody th', { hasText: /^lobby$/ }).count()).resolves.toBe(1);
    await expect(page.locator('#insights-lines-table tbody tr').count()).resolves.toBeGreaterThan(0);
    // A refusal earlier in this suite is listed by its rule.
    await expect(page.locator('#insights-rules li').count()).resolves.toBeGreaterThan(0);
    await page.selectOption('#insights-window', 'day');
    await expect.poll(() => totals.textContent(), { timeout: 10_000 }).toMatch(/last day/);
    await page.selectOption('#insights-window', 'hour');
    await saveScreenshot(page, 'moderator-insights', true);
  });

  it('saves screenshots of the chat page and the console', async () => {
    const { page } = moderator;
    await saveScreenshot(alice.page, 'chat');
    await openTab(page, 'Room');
    await page.locator('#settings-fields:not([disabled])').waitFor();
    await saveScreenshot(page, 'moderator', true);
    await openTab(page, 'Rules');
    await page.locator('#rules tr', { hasText: 'giveaway' }).waitFor();
    await saveScreenshot(page, 'moderator-rules');
    for (const page of [alice, bob, moderator]) expect(page.errors).toEqual([]);
  });
});
