/**
 * The live task list: the server's answer for the search query, kept current by the event stream
 * (unless paused), with bulk cancel / retry of everything the query matches.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { get, post, session, withQuery } from '../api.js';
import { ColumnHeads, ErrorNote, Loading, ProgressBar, StatusBadge } from '../components/bits.js';
import { ConfirmDialog } from '../components/confirm.js';
import { useLoad } from '../components/load.js';
import { subscribe } from '../events.js';
import { formatDuration, formatTime, shortId } from '../format.js';
import { admits, parseQuery, statusOf, withStatus } from '../query.js';
import { navigate } from '../router.js';
import { TASK_STATUSES, type BulkResult, type TaskRow } from '../types.js';

interface Page {
  tasks: TaskRow[];
  nextCursor?: string;
}

export function TasksPage({ q }: { q: string }) {
  const [draft, setDraft] = useState(q);
  useEffect(() => setDraft(q), [q]);
  const loaded = useLoad(`tasks?${q}`, () => get<Page>(withQuery('/tasks', { q, limit: 50 })));
  const [rows, setRows] = useState<TaskRow[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const [paused, setPaused] = useState(false);
  const [missed, setMissed] = useState(0);
  const [bulk, setBulk] = useState<'cancel' | 'retry' | null>(null);
  const [bulkResult, setBulkResult] = useState<string | null>(null);
  const [actionError, setActionError] = useState<Error | null>(null);
  const query = useMemo(() => parseQuery(q), [q]);
  const { reload } = loaded;
  const me = session.value;
  const canAct = typeof me === 'object' && me !== null && me.canAct;

  useEffect(() => {
    if (!loaded.value) return;
    setRows(loaded.value.tasks);
    setCursor(loaded.value.nextCursor);
  }, [loaded.value]);

  useEffect(
    () =>
      subscribe((event) => {
        if (event.type === 'queues') return;
        if (paused) {
          setMissed((n) => n + 1);
          return;
        }
        if (event.type === 'resync') reload();
        else if (event.type === 'task-deleted') setRows((list) => list.filter((t) => t.id !== event.id));
        else setRows((list) => merge(list, event.task, admits(query, event.task)));
      }),
    [paused, query, reload],
  );

  function search(next: string) {
    navigate(withQuery('/tasks', { q: next.trim() }));
  }

  function togglePause() {
    if (paused) {
      setMissed(0);
      reload();
    }
    setPaused(!paused);
  }

  async function more() {
    const page = await get<Page>(withQuery('/tasks', { q, limit: 50, cursor }));
    setRows((list) => [...list, ...page.tasks.filter((t) => !list.some((r) => r.id === t.id))]);
    setCursor(page.nextCursor);
  }

  async function runBulk(action: 'cancel' | 'retry') {
    setActionError(null);
    try {
      const result = await post<BulkResult>('/tasks/bulk', { action, q });
      const verb = action === 'cancel' ? 'Cancelled' : 'Retried';
      setBulkResult(`${verb} ${result.done.length} of ${result.matched} matching tasks; skipped ${result.skipped.length}.`);
      reload();
    } catch (error) {
      setActionError(error as Error);
    }
  }

  return (
    <>
      <h1>Tasks</h1>
      <form
        class="toolbar"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          search(draft);
        }}
      >
        <label class="grow">
          Search tasks
          <input
            type="search"
            name="q"
            value={draft}
            placeholder={
              typeof me === 'object' && me?.operator
                ? 'status:failed owner:alice tool:index_folder text'
                : 'status:failed tool:index_folder text'
            }
            onInput={(e) => setDraft(e.currentTarget.value)}
          />
        </label>
        <label>
          Status
          <select name="status" value={statusOf(q)} onChange={(e) => search(withStatus(q, e.currentTarget.value))}>
            <option value="">any</option>
            {TASK_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s.replace('_', ' ')}
              </option>
            ))}
            <option value="failed,cancelled">failed or cancelled</option>
          </select>
        </label>
        <button type="submit">Search</button>
        <button type="button" aria-pressed={paused} onClick={togglePause}>
          {paused ? 'Resume live updates' : 'Pause live updates'}
        </button>
      </form>
      {paused && (
        <p class="notice" role="status">
          Live updates paused{missed ? `: ${missed} changes waiting` : ''}.
        </p>
      )}
      {canAct && (
        <div class="toolbar">
          <button type="button" onClick={() => setBulk('cancel')}>
            Cancel matching tasks
          </button>
          <button type="button" onClick={() => setBulk('retry')}>
            Retry matching tasks
          </button>
        </div>
      )}
      <ConfirmDialog
        open={bulk !== null}
        title={bulk === 'retry' ? 'Retry matching tasks?' : 'Cancel matching tasks?'}
        message={`This ${bulk === 'retry' ? 'starts a new task for every failed or cancelled task' : 'cancels every unfinished task'} matching “${q || 'all tasks'}”.`}
        confirmLabel={bulk === 'retry' ? 'Retry them' : 'Cancel them'}
        onConfirm={() => void runBulk(bulk!)}
        onClose={() => setBulk(null)}
      />
      {bulkResult && (
        <p class="notice" role="status">
          {bulkResult}
        </p>
      )}
      <ErrorNote error={actionError ?? loaded.error} />
      {!loaded.value && !loaded.error ? <Loading what="tasks" /> : <TaskTable rows={rows} />}
      {cursor && (
        <button type="button" onClick={() => void more()}>
          Show more
        </button>
      )}
    </>
  );
}

/** The list with `task` updated in place, or added in creation order when `admit`. */
function merge(list: TaskRow[], task: TaskRow, admit: boolean): TaskRow[] {
  const at = list.findIndex((t) => t.id === task.id);
  if (at >= 0) return list.map((t, i) => (i === at ? task : t));
  if (!admit) return list;
  const next = [...list, task];
  next.sort((a, b) => b.createdAt - a.createdAt);
  return next;
}

export function TaskTable({ rows, caption = 'Tasks, newest first' }: { rows: TaskRow[]; caption?: string }) {
  if (rows.length === 0) return <p class="muted">No tasks match.</p>;
  return (
    <table role="table" class="tasks responsive">
      <caption class="visually-hidden">{caption}</caption>
      <ColumnHeads labels={['Task', 'Tool', 'Status', 'Progress', 'Owner', 'Attempt', 'Created', 'Waited', 'Ran']} />
      <tbody role="rowgroup">
        {rows.map((t) => (
          <tr role="row" key={t.id} data-task-id={t.id} data-status={t.status}>
            <td role="cell" data-label="Task">
              <a href={`/dashboard/tasks/${encodeURIComponent(t.id)}`} title={t.id}>
                <code>{shortId(t.id)}</code>
              </a>
            </td>
            <td role="cell" data-label="Tool">
              {t.tool ?? t.handler}
            </td>
            <td role="cell" data-label="Status">
              <StatusBadge status={t.status} />
            </td>
            <td role="cell" data-label="Progress">
              <ProgressBar progress={t.progress} status={t.status} label={`Progress of task ${shortId(t.id)}`} />
            </td>
            <td role="cell" data-label="Owner">
              {t.owner}
            </td>
            <td role="cell" data-label="Attempt">
              {t.attempt} / {t.maxAttempts}
            </td>
            <td role="cell" data-label="Created">
              {formatTime(t.createdAt)}
            </td>
            <td role="cell" data-label="Waited">
              {t.startedAt === null ? '—' : formatDuration(t.startedAt - t.createdAt)}
            </td>
            <td role="cell" data-label="Ran">
              {t.startedAt === null ? '—' : formatDuration((t.finishedAt ?? t.updatedAt) - t.startedAt)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
