import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildWeb } from '../../web/build.js';
import { launchChromium, openSignedIn, type SignedInPage } from './support/browser.js';

const appUrl = inject('stack').appUrl;
const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let browser: Browser;
beforeAll(async () => {
  await buildWeb();
  browser = await launchChromium();
});
afterAll(() => browser?.close());

const pages = [
  { name: 'chat page', path: '/', userId: 'polish-chatter', ready: '#messages' },
  { name: 'moderator console', path: '/moderator.html', userId: 'polish-mod', ready: '#console-tabs' },
] as const;

/** Signed in, then loaded again, so that what is counted is a signed-in user's visit (a signed-out one gets a 401). */
async function visit(options: (typeof pages)[number], width: number): Promise<SignedInPage> {
  const signedIn = await openSignedIn(browser, {
    appUrl,
    path: options.path,
    userId: options.userId,
    viewport: { width, height: 800 },
  });
  await signedIn.page.context().setExtraHTTPHeaders({});
  signedIn.consoleErrors.length = 0;
  signedIn.notFound.length = 0;
  await signedIn.page.reload();
  await signedIn.page.locator(options.ready).waitFor();
  await signedIn.page.waitForLoadState('networkidle');
  return signedIn;
}

/** axe-core's violations of impact serious or critical, by rule and element. */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run(): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> };
      }
    ).axe;
    return (await axe.run()).violations;
  });
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}

/** Tabs through the page: what took focus, whether each showed a focus ring, and the visible controls never reached. */
async function tabThrough(page: Page): Promise<{ unreached: string[]; withoutRing: string[] }> {
  const describe = () => {
    const element = document.activeElement as HTMLElement | null;
    if (!element || element === document.body) return undefined;
    const style = getComputedStyle(element);
    const label = `${element.tagName.toLowerCase()}#${element.id || element.textContent?.trim().slice(0, 20)}`;
    return { label, ring: style.outlineStyle !== 'none' && style.outlineWidth !== '0px' };
  };
  const visibleControls = () =>
    page.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLElement>('a[href], button, input, select, textarea'))
        .filter((element) => !element.matches(':disabled') && element.offsetParent !== null && element.tabIndex >= 0)
        .map((element) => `${element.tagName.toLowerCase()}#${element.id || element.textContent?.trim().slice(0, 20)}`),
    );
  // The console fills in as its first refresh lands: only controls there before and after the walk count.
  const before = await visibleControls();
  const reached = new Set<string>();
  const withoutRing = new Set<string>();
  await page.locator('body').focus();
  for (let n = 0; n < 150; n++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(describe);
    if (!focused) continue;
    reached.add(focused.label);
    if (!focused.ring) withoutRing.add(focused.label);
  }
  const after = new Set(await visibleControls());
  const controls = before.filter((control) => after.has(control));
  return { unreached: controls.filter((control) => !reached.has(control)), withoutRing: [...withoutRing] };
}

describe.each(pages)('$name, signed in', (options) => {
  it('loads with no 404, no console error and no page error, at 1,000 px and at 360 px', async () => {
    for (const width of [1_000, 360]) {
      const visited = await visit(options, width);
      expect(visited.notFound, `${width} px`).toEqual([]);
      expect(visited.consoleErrors, `${width} px`).toEqual([]);
      expect(visited.errors, `${width} px`).toEqual([]);
      // Usable at 360 px: nothing wider than the screen, so nothing needs a sideways scroll.
      const overflow = await visited.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${width} px`).toBeLessThanOrEqual(0);
      await visited.context.close();
    }
  });

  it('has no serious or critical axe-core violation', async () => {
    const visited = await visit(options, 1_000);
    expect(await seriousViolations(visited.page)).toEqual([]);
    await visited.context.close();
  });

  it('reaches every visible control by keyboard, each with a visible focus ring', async () => {
    const visited = await visit(options, 1_000);
    const { unreached, withoutRing } = await tabThrough(visited.page);
    expect(unreached).toEqual([]);
    expect(withoutRing).toEqual([]);
    await visited.context.close();
  });
});
