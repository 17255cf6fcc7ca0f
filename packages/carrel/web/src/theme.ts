/**
 * Light or dark: the system's preference unless the visitor picked one with the toggle, which is
 * remembered in localStorage and applied as `data-theme` on <html> (styles.css reads both).
 */
import { signal } from '@preact/signals';

export type Theme = 'light' | 'dark';

const KEY = 'carrel-dashboard-theme';
const system = window.matchMedia('(prefers-color-scheme: dark)');

function stored(): Theme | null {
  const value = window.localStorage.getItem(KEY);
  return value === 'light' || value === 'dark' ? value : null;
}

export const theme = signal<Theme>(stored() ?? (system.matches ? 'dark' : 'light'));

function apply(): void {
  document.documentElement.dataset.theme = theme.value;
}

system.addEventListener('change', () => {
  if (stored() === null) theme.value = system.matches ? 'dark' : 'light';
  apply();
});

export function toggleTheme(): void {
  theme.value = theme.value === 'dark' ? 'light' : 'dark';
  window.localStorage.setItem(KEY, theme.value);
  apply();
}

apply();
