/**
 * The dashboard in headless chromium against a real server (the HTTP face `carrel serve` runs, on
 * 127.0.0.1, over a SQLite data dir): tasks followed live as web connectors sync sites on
 * 127.0.0.1 whose pages the test holds and releases, a cancel from the page that reaches the
 * crawler's fetch, a retry, a search, two owners who never see each other's tasks, a read-only
 * reader without action buttons.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS } from './support/dashboard-server.js';
import { row, startFixture, syncNow, type Fixture } from './support/fixture.js';

let fixture: Fixture;
beforeAll(async () => {
  fixture = await startFixture();
});
afterAll(() => fixture?.close());

const signedIn = async (token: string): Promise<Page> => (await fixture.signedIn(token)).page;

describe('the dashboard in chromium', { timeout: 120_000 }, () => {
  it('shows a sync task on the live list, its progress bar moving to completion', async () => {
    const page = await signedIn(TOKENS.alice);
    const id = await syncNow(page, 'docs');
    await fixture.sites.docs.asked('/c');
    await page.getByRole('link', { name: 'Tasks' }).click();
    // While /c is held the sync cannot finish: its bar shows part of the work done.
    const partial = await page.waitForSelector(`${row(id)}[data-status="working"] progress[data-fraction]`);
    expect(Number(await partial.getAttribute('data-fraction'))).toBeLessThan(1);

    fixture.sites.docs.release('/c');
    // The page is not reloaded: the change arrives over the event stream.
    await page.waitForSelector(`${row(id)}[data-status="completed"] progress[data-fraction="1.000"]`);
    expect(await page.locator(`${row(id)} td[data-label="Progress"]`).innerText()).toContain('100%');
  });

  it('cancels a task from its page, and the crawler drops the request it was waiting on', async () => {
    const page = await signedIn(TOKENS.alice);
    const id = await syncNow(page, 'stall');
    await fixture.sites.stall.asked('/slow');
    await page.getByRole('link', { name: 'sync started' }).click();
    await page.getByRole('heading', { name: `Task ${id}` }).waitFor();
    await page.getByRole('button', { name: 'Cancel task' }).click();
    await fixture.sites.stall.dropped('/slow');
    await page.locator('.toolbar .status-cancelled').waitFor();
    expect(await page.getByRole('button', { name: 'Cancel task' }).count()).toBe(0);
  });

  it('retries a failed task: a new task linked to the old one, which stays failed', async () => {
    const page = await signedIn(TOKENS.alice);
    const sync = await syncNow(page, 'broken');
    await page.getByRole('link', { name: 'sync started' }).click();
    // The sync tool's call ends in a tool error; the workflow step under it is the task that failed.
    const message = /redirects to http:\/\/example\.invalid\/elsewhere, outside the crawl's scope/;
    await page.getByRole('region', { name: 'Tool error' }).locator('p.error').getByText(message).waitFor();
    await page.getByRole('region', { name: 'Children' }).locator('tr[data-status="failed"] a').click();
    await page.locator('.toolbar .status-failed').waitFor();
    const failed = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    expect(failed).not.toBe(sync);
    await page.getByRole('button', { name: 'Retry task' }).click();
    const retryOf = page.locator('dt:text-is("Retry of") + dd a');
    expect(await retryOf.innerText()).toBe(failed);
    expect(new URL(page.url()).pathname).not.toBe(`/dashboard/tasks/${encodeURIComponent(failed)}`);
    await page.locator('.toolbar .status-failed').waitFor();

    await retryOf.click();
    await page.getByRole('heading', { name: `Task ${failed}` }).waitFor();
    expect(await page.locator('.toolbar .status').innerText()).toBe('failed');
    expect(await page.getByRole('button', { name: 'Retry task' }).count()).toBe(1);
  });

  it('holds live updates while paused, and catches up on resume', async () => {
    const page = await signedIn(TOKENS.alice);
    await page.getByRole('link', { name: 'Tasks' }).click();
    await page.getByRole('button', { name: 'Pause live updates' }).click();
    const other = await signedIn(TOKENS.alice);
    const id = await syncNow(other, 'broken');
    await page
      .getByRole('status')
      .getByText(/changes waiting/)
      .waitFor();
    expect(await page.locator(row(id)).count()).toBe(0);
    await page.getByRole('button', { name: 'Resume live updates' }).click();
    await page.waitForSelector(row(id));
  });

  it('retries every failed task a search matches, after a confirmation', async () => {
    const page = await signedIn(TOKENS.alice);
    await syncNow(page, 'broken');
    await page.getByRole('link', { name: 'Tasks' }).click();
    await page.getByLabel('Search tasks').fill('status:failed');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.waitForURL(/q=status%3Afailed/);
    await page.locator('tr[data-status="failed"]').first().waitFor();
    const failed = await page.locator('tr[data-status="failed"]').count();
    await page.getByRole('button', { name: 'Retry matching tasks' }).click();
    await page.getByRole('dialog', { name: 'Retry matching tasks?' }).getByRole('button', { name: 'Retry them' }).click();
    const summary = await page
      .getByRole('status')
      .filter({ hasText: /^Retried/ })
      .innerText();
    const [, done, matched] = /^Retried (\d+) of (\d+) matching tasks; skipped 0\.$/.exec(summary) ?? [];
    expect(done).toBe(matched);
    // A sync still running from an earlier test may fail meanwhile and be matched too.
    expect(Number(done)).toBeGreaterThanOrEqual(failed);
  });

  it('searches a library and opens a result', async () => {
    const page = await signedIn(TOKENS.alice);
    await page.getByRole('link', { name: 'Libraries' }).click();
    await page.getByRole('link', { name: 'guide' }).waitFor();
    await page.getByLabel('Search the knowledge base').fill('install the package');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const results = page.getByRole('list', { name: 'Search results' });
    const first = results.getByRole('listitem').first();
    expect(await first.locator('.snippet').innerText()).toContain('Run npm install carrel to install the package.');
    expect(await first.innerText()).toContain('Guide > Install');
    await first.getByRole('link', { name: 'Guide' }).click();
    await page.getByRole('heading', { level: 1, name: 'Guide' }).waitFor();
    expect(await page.locator('main').innerText()).toContain('Run npm install carrel to install the package.');
  });

  it("shows a second owner none of the first owner's tasks", async () => {
    const alice = await signedIn(TOKENS.alice);
    const id = await syncNow(alice, 'broken');
    await alice.getByRole('link', { name: 'Tasks' }).click();
    await alice.waitForSelector(row(id));

    const bob = await signedIn(TOKENS.bob);
    await bob.getByRole('link', { name: 'Tasks' }).click();
    await bob.getByText('No tasks match.').waitFor();
    await bob.goto(`${fixture.server.origin}/dashboard/tasks/${encodeURIComponent(id)}`);
    await bob.getByRole('alert').waitFor();
    expect(await bob.locator('main').innerText()).not.toContain('broken');
  });

  it('gives a read-only reader no action buttons, and the server refuses its actions anyway', async () => {
    const alice = await signedIn(TOKENS.alice);
    const sync = await syncNow(alice, 'stall');
    const reader = await signedIn(TOKENS.reader);
    await reader.getByText('(read-only)').waitFor();
    await reader.goto(`${fixture.server.origin}/dashboard/tasks/${encodeURIComponent(sync)}`);
    await reader.locator('.toolbar .status-working').waitFor();
    // The same task shows a writer its Cancel button.
    await alice.goto(`${fixture.server.origin}/dashboard/tasks/${encodeURIComponent(sync)}`);
    await alice.getByRole('button', { name: 'Cancel task' }).waitFor();
    expect(await reader.getByRole('button', { name: /Retry|Cancel/ }).count()).toBe(0);
    await reader.getByRole('link', { name: 'Connectors' }).click();
    await reader.getByRole('rowheader', { name: 'docs', exact: true }).waitFor();
    expect(await reader.getByRole('button', { name: /Sync/ }).count()).toBe(0);
    await reader.getByRole('link', { name: 'Tasks' }).click();
    await reader.waitForSelector(row(sync));
    expect(await reader.getByRole('button', { name: /matching tasks/ }).count()).toBe(0);
    const refused = await reader.evaluate(async (taskId) => {
      const session = (await (await fetch('/dashboard/api/session')).json()) as { csrfToken: string };
      const response = await fetch(`/dashboard/api/tasks/${encodeURIComponent(taskId)}/cancel`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-carrel-csrf': session.csrfToken },
        body: '{}',
      });
      return { status: response.status, body: (await response.json()) as unknown };
    }, sync);
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'read_only' } } });
  });
});
