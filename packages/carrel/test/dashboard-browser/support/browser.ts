/**
 * Debian's chromium driven by playwright-core, for the dashboard's browser tests: pages in light or
 * dark at desktop or phone width, an axe-core scan, screenshots kept as test artefacts (gitignored,
 * under `.tmp/dashboard-screenshots/` at the repository root), and a record of what the page
 * logged as an error (a refused inline script under the page's CSP would show up there).
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT } from '../../mcp/support/carrel-process.js';

export const SCREENSHOTS = join(REPO_ROOT, '.tmp', 'dashboard-screenshots');
const AXE_SOURCE: string = (createRequire(import.meta.url)('axe-core') as { source: string }).source;

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-background-networking'] });
}

export interface PageOptions {
  colorScheme?: 'light' | 'dark';
  /** 375 is a phone. */
  width?: number;
}

export interface OpenedPage {
  page: Page;
  context: BrowserContext;
  /** Console errors and page errors seen so far. */
  errors: string[];
}

export async function openPage(browser: Browser, options: PageOptions = {}): Promise<OpenedPage> {
  const width = options.width ?? 1280;
  const context = await browser.newContext({
    viewport: { width, height: width < 600 ? 812 : 900 },
    colorScheme: options.colorScheme ?? 'light',
    ...(width < 600 && { isMobile: true, hasTouch: true, deviceScaleFactor: 2 }),
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return { page, context, errors };
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * The serious and critical accessibility violations axe-core finds on the page as it is. axe is
 * evaluated through the DevTools protocol, which the page's CSP does not govern (an injected
 * <script> would be refused, as it should be).
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe;
    return (await axe.run()).violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
