/** The page's frame: header with navigation, theme toggle and session, and the routed page. */
import { useEffect } from 'preact/hooks';
import { logout, session, sessionError } from './api.js';
import { ErrorNote } from './components/bits.js';
import { closeStream, openStream, streamState } from './events.js';
import { ConnectorsPage } from './pages/connectors.js';
import { DocumentPage, LibraryPage } from './pages/documents.js';
import { LibrariesPage } from './pages/libraries.js';
import { LoginPage } from './pages/login.js';
import { QueuesPage } from './pages/queues.js';
import { TaskDetailPage } from './pages/task-detail.js';
import { TasksPage } from './pages/tasks.js';
import { location, onLinkClick, param, segments } from './router.js';
import { theme, toggleTheme } from './theme.js';

const NAV = [
  { path: '/tasks', label: 'Tasks' },
  { path: '/queues', label: 'Queues' },
  { path: '/connectors', label: 'Connectors' },
  { path: '/libraries', label: 'Libraries' },
];

export function App() {
  const me = session.value;
  const signedIn = me !== null && me !== 'login';
  useEffect(() => {
    if (signedIn) openStream();
    else closeStream();
  }, [signedIn]);
  const path = location.value;
  const [first = 'tasks'] = segments(path);
  const section = first === 'documents' ? 'libraries' : first;
  return (
    <div class="frame" onClick={onLinkClick}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header>
        <span class="brand">Carrel</span>
        {signedIn && (
          <nav aria-label="Dashboard">
            <ul>
              {NAV.map((n) => (
                <li key={n.path}>
                  <a href={`/dashboard${n.path}`} aria-current={section === n.path.slice(1) ? 'page' : undefined}>
                    {n.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        )}
        <div class="session">
          {signedIn && (
            <span class={`live live-${streamState.value}`} title="Live updates">
              {streamState.value}
            </span>
          )}
          {signedIn && (
            <span class="who" title={`${me.principal} on node ${me.node}`}>
              {me.owner}
              {me.operator && ' (operator: every owner)'}
              {!me.canAct && ' (read-only)'}
            </span>
          )}
          <button
            type="button"
            class="quiet"
            onClick={toggleTheme}
            aria-label={`Switch to ${theme.value === 'dark' ? 'light' : 'dark'} theme`}
          >
            {theme.value === 'dark' ? 'Light' : 'Dark'}
          </button>
          {signedIn && me.loginRequired && (
            <button type="button" class="quiet" onClick={() => void logout()}>
              Sign out
            </button>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {me === null ? (
          sessionError.value ? (
            <ErrorNote error={sessionError.value} />
          ) : (
            <p class="muted">Connecting…</p>
          )
        ) : me === 'login' ? (
          <LoginPage />
        ) : (
          <Page path={path} canAct={me.canAct} />
        )}
      </main>
    </div>
  );
}

function Page({ path, canAct }: { path: string; canAct: boolean }) {
  const [first = 'tasks', second] = segments(path);
  // Keyed by path: a page for another task or library starts from nothing rather than from the last one's state.
  const key = path.split('?')[0];
  if (first === 'tasks' && second) return <TaskDetailPage key={key} id={second} canAct={canAct} />;
  if (first === 'tasks') return <TasksPage q={param(path, 'q')} />;
  if (first === 'queues') return <QueuesPage window={param(path, 'window')} />;
  if (first === 'connectors') return <ConnectorsPage canAct={canAct} />;
  if (first === 'libraries' && second) return <LibraryPage key={key} name={second} version={param(path, 'version')} />;
  if (first === 'libraries') return <LibrariesPage q={param(path, 'q')} library={param(path, 'library')} />;
  if (first === 'documents' && second) return <DocumentPage key={key} id={second} />;
  return (
    <>
      <h1>Not found</h1>
      <p>
        Nothing lives at this address. <a href="/dashboard/tasks">See the tasks</a>.
      </p>
    </>
  );
}
