/**
 * Client-side routing under /dashboard/: the path is a signal, links inside the page change it with
 * the History API, and the server answers any of these paths with the same index.html.
 */
import { signal } from '@preact/signals';

export const BASE = '/dashboard';

/** The path inside the dashboard, e.g. `/tasks/abc`, with its query string. */
export const location = signal(current());

function current(): string {
  const path = window.location.pathname.startsWith(BASE) ? window.location.pathname.slice(BASE.length) : '/';
  return (path || '/') + window.location.search;
}

window.addEventListener('popstate', () => {
  location.value = current();
});

export function navigate(to: string, { replace = false } = {}): void {
  if (to === location.value) return;
  if (replace) window.history.replaceState(null, '', BASE + to);
  else window.history.pushState(null, '', BASE + to);
  location.value = current();
}

/** The path part of the location, split into its segments (decoded). */
export function segments(path: string): string[] {
  return path
    .split('?')[0]!
    .split('/')
    .filter(Boolean)
    .map((s) => decodeURIComponent(s));
}

/** The value of one query parameter of the location. */
export function param(path: string, name: string): string {
  return new URLSearchParams(path.split('?')[1] ?? '').get(name) ?? '';
}

/**
 * Routes a click on a same-page link through `navigate`, leaving modified clicks (new tab, …) to
 * the browser.
 */
export function onLinkClick(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const anchor = (event.target as Element).closest('a');
  if (!anchor || anchor.target || anchor.origin !== window.location.origin || !anchor.pathname.startsWith(BASE + '/')) return;
  event.preventDefault();
  navigate(anchor.pathname.slice(BASE.length) + anchor.search);
}
