/**
 * The dashboard page `carrel serve` hosts at /dashboard/ (built by vite.config.ts): it asks the
 * JSON API who it acts for, then renders the routed page.
 */
import { render } from 'preact';
import { loadSession } from './api.js';
import { App } from './app.js';
import './styles.css';

render(<App />, document.getElementById('app')!);
void loadSession();
