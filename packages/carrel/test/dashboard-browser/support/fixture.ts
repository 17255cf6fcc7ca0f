/**
 * What each browser test file starts from: a data dir with the guide ingested (library `guide`),
 * three web connectors on sites of 127.0.0.1 (`docs`, whose page /c is held until released;
 * `stall`, whose /slow never answers; `broken`, whose start page redirects out of scope, so its
 * sync fails), the dashboard server over it, and chromium.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { GUIDE, runCli } from '../../mcp/support/carrel-process.js';
import { tempDir } from '../../support/temp-dir.js';
import { launchBrowser, openPage, type OpenedPage, type PageOptions } from './browser.js';
import { startDashboardServer, type DashboardServer } from './dashboard-server.js';
import { page as html, startSite, type Site } from './site.js';

export interface Fixture {
  browser: Browser;
  server: DashboardServer;
  sites: { docs: Site; stall: Site; broken: Site };
  /** A fresh browser context signed in with `token` through the page's login form. */
  signedIn(token: string, options?: PageOptions): Promise<OpenedPage>;
  close(): Promise<void>;
}

export async function startFixture(): Promise<Fixture> {
  const dataDir = tempDir();
  const folder = tempDir();
  writeFileSync(join(folder, 'guide.md'), GUIDE);
  const sites = {
    docs: await startSite(
      {
        '/': html('Home', 'See <a href="/a">a</a>, <a href="/b">b</a> and <a href="/c">c</a>.'),
        '/a': html('Alpha', 'The alpha page.'),
        '/b': html('Beta', 'The beta page.'),
        '/c': html('Gamma', 'The gamma page, held until the test releases it.'),
      },
      ['/c'],
    ),
    stall: await startSite({ '/': html('Stall', 'See <a href="/slow">slow</a>.'), '/slow': html('Slow', 'Never sent.') }, ['/slow']),
    broken: await startSite({ '/': { redirect: 'http://example.invalid/elsewhere' } }),
  };
  // One command after another: four CLI processes writing a new knowledge base at once waited past
  // the store's 10 s busy timeout on a loaded CI machine, and setup is not what these tests test.
  const setup = [
    () => runCli(dataDir, ['add', folder, '--library', 'guide']),
    ...Object.entries(sites).map(
      ([name, site]) =>
        () =>
          runCli(dataDir, [
            'connectors',
            'add',
            name,
            '--kind',
            'web',
            '--url',
            site.url,
            '--delay',
            '0',
            '--private-network',
            '--library',
            name,
          ]),
    ),
  ];
  for (const command of setup) {
    const run = await command();
    expect(run.code, run.stderr).toBe(0);
  }
  const [server, browser] = await Promise.all([startDashboardServer(dataDir), launchBrowser()]);
  const opened: OpenedPage[] = [];
  return {
    browser,
    server,
    sites,
    async signedIn(token, options) {
      const tab = await openPage(browser, options);
      opened.push(tab);
      await tab.page.goto(`${server.origin}/dashboard/`);
      await tab.page.getByLabel('Token').fill(token);
      await tab.page.getByRole('button', { name: 'Sign in' }).click();
      await tab.page.getByRole('navigation', { name: 'Dashboard' }).waitFor();
      return tab;
    },
    async close() {
      for (const { context } of opened) await context.close();
      await browser.close();
      await server.close();
      await Promise.all(Object.values(sites).map((site) => site.close()));
    },
  };
}

/** Starts the connector's sync with its "Sync now" button (named "Sync now <connector>" for a screen reader) on the Connectors page; returns the new task's id. */
export async function syncNow(page: Page, connector: string): Promise<string> {
  await page.getByRole('link', { name: 'Connectors' }).click();
  await page.getByRole('button', { name: `Sync now ${connector}`, exact: true }).click();
  const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: connector, exact: true }) });
  const href = (await row.getByRole('link', { name: 'sync started' }).getAttribute('href'))!;
  return decodeURIComponent(href.split('/').pop()!);
}

/** The CSS selector of a task's row in a task table. */
export const row = (id: string): string => `tr[data-task-id="${id}"]`;
