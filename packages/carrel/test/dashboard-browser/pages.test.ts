/**
 * Every page of the dashboard in light and dark at desktop width and at phone width (375 px): no
 * serious or critical axe-core violation, nothing logged as an error (a script or style refused
 * by the page's `default-src 'self'` policy would be), and a screenshot of each kept under
 * `.tmp/dashboard-screenshots/` (docs/screenshots/ holds the ones the README shows).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, openPage, screenshot, type PageOptions } from './support/browser.js';
import { TOKENS } from './support/dashboard-server.js';
import { row, startFixture, syncNow, type Fixture } from './support/fixture.js';

let fixture: Fixture;
let completed: string;
beforeAll(async () => {
  fixture = await startFixture();
  // Tasks in each state for the pages to show: completed, failed, and one still working.
  fixture.sites.docs.release('/c');
  const { page } = await fixture.signedIn(TOKENS.alice);
  completed = await syncNow(page, 'docs');
  await syncNow(page, 'broken');
  await syncNow(page, 'stall');
  await fixture.sites.stall.asked('/slow');
  await page.getByRole('link', { name: 'Tasks' }).click();
  await page.waitForSelector(`${row(completed)}[data-status="completed"]`);
}, 120_000);
afterAll(() => fixture?.close());

/** What the page logged as errors, less the 401 that tells it to show the login form (chromium logs every failed load). */
const unexpected = (errors: string[]) => errors.filter((e) => !/status of 401 \(Unauthorized\)/.test(e));

const MODES: [string, PageOptions][] = [
  ['light', { colorScheme: 'light' }],
  ['dark', { colorScheme: 'dark' }],
  ['phone', { colorScheme: 'light', width: 375 }],
];

/** Each page: where to go from the signed-in start, and what shows that it has loaded. */
const PAGES: [string, (page: Page) => Promise<void>][] = [
  [
    'tasks',
    async (page) => {
      await page.getByRole('link', { name: 'Tasks' }).click();
      await page.waitForSelector(`${row(completed)}[data-status="completed"]`);
    },
  ],
  [
    'task',
    async (page) => {
      await page.goto(`${fixture.server.origin}/dashboard/tasks/${encodeURIComponent(completed)}`);
      await page.getByRole('region', { name: 'Input' }).waitFor();
    },
  ],
  [
    'queues',
    async (page) => {
      await page.getByRole('link', { name: 'Queues' }).click();
      await page.locator('.chart canvas').first().waitFor();
    },
  ],
  [
    'connectors',
    async (page) => {
      await page.getByRole('link', { name: 'Connectors' }).click();
      // At phone width each cell's name begins with its column's label (CSS ::before content).
      await page.getByRole('rowheader', { name: /^(Connector )?docs$/ }).waitFor();
    },
  ],
  [
    'libraries',
    async (page) => {
      await page.getByRole('link', { name: 'Libraries' }).click();
      await page.getByLabel('Search the knowledge base').fill('install the package');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await page.getByRole('list', { name: 'Search results' }).waitFor();
    },
  ],
  [
    'document',
    async (page) => {
      await page.getByRole('list', { name: 'Search results' }).getByRole('link').first().click();
      await page.locator('.chunk').first().waitFor();
    },
  ],
];

describe('every dashboard page, light, dark and at phone width', { timeout: 180_000 }, () => {
  for (const [mode, options] of MODES)
    it(`passes the accessibility scan and logs no error (${mode})`, async () => {
      const login = await openPage(fixture.browser, options);
      await login.page.goto(`${fixture.server.origin}/dashboard/`);
      await login.page.getByLabel('Token').waitFor();
      expect(await axeViolations(login.page), `login (${mode})`).toEqual([]);
      await screenshot(login.page, `login-${mode}`);
      await login.context.close();
      expect(unexpected(login.errors)).toEqual([]);

      const { page, errors } = await fixture.signedIn(TOKENS.alice, options);
      for (const [name, open] of PAGES) {
        await open(page);
        expect(await axeViolations(page), `${name} (${mode})`).toEqual([]);
        await screenshot(page, `${name}-${mode}`);
      }
      expect(unexpected(errors)).toEqual([]);
    });
});
