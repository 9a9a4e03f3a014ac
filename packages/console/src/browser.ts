import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';

/** Debian's Chromium (`apt-get install -y chromium`); never a browser downloaded by Playwright. */
export const CHROMIUM = process.env.KEYMINT_CHROMIUM ?? '/usr/bin/chromium';
export const chromiumAvailable = existsSync(CHROMIUM);

/** Screenshots of every run go here (gitignored). */
export const RESULTS_DIR = fileURLToPath(new URL('../../../test-results/', import.meta.url));

export const DESKTOP = { width: 1280, height: 860 };
export const PHONE = { width: 375, height: 800 };

export async function launch(): Promise<Browser> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Runs axe-core on the page as it is (open dialogs included): no serious or critical violation. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  // Evaluated by the browser's debugger protocol, which the page's CSP does not govern.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((result) =>
    result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) })))`);
  expect(violations, `axe-core on ${what}`).toEqual([]);
}

/** Screenshots at desktop and phone width, and checks the phone layout needs no sideways scrolling. */
export async function screenshots(page: Page, name: string): Promise<void> {
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: `${RESULTS_DIR}${name}-desktop.png`, fullPage: true });
  await page.setViewportSize(PHONE);
  const width = await page.evaluate('document.documentElement.scrollWidth');
  expect(width, `${name} at ${PHONE.width} px`).toBeLessThanOrEqual(PHONE.width);
  await page.screenshot({ path: `${RESULTS_DIR}${name}-phone.png`, fullPage: true });
  await page.setViewportSize(DESKTOP);
}
