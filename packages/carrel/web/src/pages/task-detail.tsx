/**
 * One task: its input, progress history, input requests, children and workflow steps, outcome;
 * Cancel and Retry for a session that may act. Reloads when the stream reports a change to it or
 * to one of its children.
 */
import { useEffect, useState } from 'preact/hooks';
import { get, post } from '../api.js';
import { ErrorNote, Json, Loading, ProgressBar, Section, StatusBadge } from '../components/bits.js';
import { useLoad } from '../components/load.js';
import { subscribe } from '../events.js';
import { formatDuration, formatTime, shortId } from '../format.js';
import { navigate } from '../router.js';
import type { TaskDetail, TaskRow, WorkflowStep } from '../types.js';
import { TaskTable } from './tasks.js';

const FINISHED = new Set(['completed', 'failed', 'cancelled']);

export function TaskDetailPage({ id, canAct }: { id: string; canAct: boolean }) {
  const loaded = useLoad(`task/${id}`, () => get<{ task: TaskDetail }>(`/tasks/${encodeURIComponent(id)}`));
  const [actionError, setActionError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const { reload } = loaded;
  useEffect(
    () =>
      subscribe((event) => {
        if (event.type === 'resync' || (event.type === 'task' && (event.task.id === id || event.task.parentId === id))) reload();
      }),
    [id, reload],
  );

  async function act(action: 'cancel' | 'retry') {
    setActionError(null);
    setBusy(true);
    try {
      const { task } = await post<{ task: TaskRow }>(`/tasks/${encodeURIComponent(id)}/${action}`);
      if (action === 'retry') navigate(`/tasks/${encodeURIComponent(task.id)}`);
      else reload();
    } catch (error) {
      setActionError(error as Error);
    } finally {
      setBusy(false);
    }
  }

  const task = loaded.value?.task;
  if (!task)
    return (
      <>
        <h1>Task {shortId(id)}</h1>
        {loaded.error ? <ErrorNote error={loaded.error} /> : <Loading what="the task" />}
      </>
    );
  const finished = FINISHED.has(task.status);
  return (
    <>
      <h1>
        Task <code class="task-id">{task.id}</code>
      </h1>
      <div class="toolbar">
        <StatusBadge status={task.status} />
        <ProgressBar progress={task.progress} status={task.status} label="Progress of this task" />
        {canAct && !finished && (
          <button type="button" class="danger" disabled={busy} onClick={() => void act('cancel')}>
            Cancel task
          </button>
        )}
        {canAct && (task.status === 'failed' || task.status === 'cancelled') && (
          <button type="button" disabled={busy} onClick={() => void act('retry')}>
            Retry task
          </button>
        )}
      </div>
      <ErrorNote error={actionError ?? loaded.error} />
      <dl class="facts">
        <dt>Tool</dt>
        <dd>{task.tool ?? '—'}</dd>
        <dt>Handler</dt>
        <dd>{task.handler}</dd>
        <dt>Owner</dt>
        <dd>{task.owner}</dd>
        <dt>Attempt</dt>
        <dd>
          {task.attempt} of {task.maxAttempts}
        </dd>
        <dt>Node</dt>
        <dd>{task.node ?? '—'}</dd>
        <dt>Status message</dt>
        <dd>{task.statusMessage ?? '—'}</dd>
        <dt>Created</dt>
        <dd>{formatTime(task.createdAt)}</dd>
        <dt>Started</dt>
        <dd>
          {formatTime(task.startedAt)}
          {task.startedAt !== null && ` (waited ${formatDuration(task.startedAt - task.createdAt)})`}
        </dd>
        <dt>Finished</dt>
        <dd>
          {formatTime(task.finishedAt)}
          {task.finishedAt !== null && task.startedAt !== null && ` (ran ${formatDuration(task.finishedAt - task.startedAt)})`}
        </dd>
        <dt>Expires</dt>
        <dd>{formatTime(task.expiresAt)}</dd>
        {task.parentId && (
          <>
            <dt>Parent</dt>
            <dd>
              <TaskLink id={task.parentId} />
            </dd>
          </>
        )}
        {task.retryOf && (
          <>
            <dt>Retry of</dt>
            <dd>
              <TaskLink id={task.retryOf} />
            </dd>
          </>
        )}
      </dl>
      <Outcome task={task} />
      <Section title="Input">
        <Json value={task.input} label="Input" />
      </Section>
      <Section title="Progress history">
        {task.progressHistory.length === 0 ? (
          <p class="muted">No progress reported.</p>
        ) : (
          <ol class="history" tabIndex={0} aria-label="Progress reports, oldest first">
            {task.progressHistory.map((p, i) => (
              <li key={i}>
                <time>{formatTime(p.at)}</time> {p.progress}
                {p.total !== undefined && ` / ${p.total}`}
                {p.message && ` — ${p.message}`}
              </li>
            ))}
          </ol>
        )}
      </Section>
      {task.inputRequests.length > 0 && (
        <Section title="Input requests">
          <ul class="plain">
            {task.inputRequests.map((r) => (
              <li key={r.key}>
                <p>
                  <strong>{r.message}</strong> {r.answered ? '' : <span class="status status-input_required">waiting for an answer</span>}
                </p>
                {r.answered && <Json value={r.answer} label={`Answer to ${r.key}`} />}
              </li>
            ))}
          </ul>
        </Section>
      )}
      {task.workflow && (
        <Section title="Workflow steps">
          <WorkflowTree steps={task.workflow.steps} />
        </Section>
      )}
      {task.children.length > 0 && (
        <Section title="Children">
          <TaskTable rows={task.children} caption="Child tasks" />
        </Section>
      )}
    </>
  );
}

function TaskLink({ id }: { id: string }) {
  return (
    <a href={`/dashboard/tasks/${encodeURIComponent(id)}`}>
      <code>{id}</code>
    </a>
  );
}

/** An MCP tool's result (`CallToolResult`): its text content is what a person reads first. */
interface ToolResult {
  content: { type: string; text?: string }[];
  isError?: boolean;
}

const isToolResult = (result: unknown): result is ToolResult =>
  typeof result === 'object' && result !== null && Array.isArray((result as { content?: unknown }).content);

function Outcome({ task }: { task: TaskDetail }) {
  if (task.outcome?.kind === 'result') {
    const { result } = task.outcome;
    if (!isToolResult(result))
      return (
        <Section title="Result">
          <Json value={result} label="Result" />
        </Section>
      );
    // A tool call that failed still completes its task: the error is in the result.
    return (
      <Section title={result.isError ? 'Tool error' : 'Result'}>
        {result.content
          .filter((c) => c.type === 'text')
          .map((c, i) => (
            <p key={i} class={result.isError ? 'error' : undefined}>
              {c.text}
            </p>
          ))}
        <details>
          <summary>Whole result</summary>
          <Json value={result} label="Whole result" />
        </details>
      </Section>
    );
  }
  const error = task.outcome?.kind === 'error' ? task.outcome.error : task.lastError;
  if (!error) return null;
  return (
    <Section title={task.outcome ? 'Error' : 'Last error (retrying)'}>
      <p class="error">
        <code>{String(error.code)}</code> {error.message}
      </p>
    </Section>
  );
}

/** Workflow steps as a tree: each step under the steps it depends on (roots have none). */
function WorkflowTree({ steps }: { steps: WorkflowStep[] }) {
  const byName = new Map(steps.map((s) => [s.name, s]));
  const roots = steps.filter((s) => s.dependsOn.every((d) => !byName.has(d)));
  const under = (name: string) => steps.filter((s) => s.dependsOn.includes(name));
  const shown = new Set<string>();
  const render = (step: WorkflowStep) => {
    // A step that depends on several others sits under the first of them that is drawn.
    if (shown.has(step.name)) return null;
    shown.add(step.name);
    const next = under(step.name);
    return (
      <li key={step.name}>
        <span class="step">
          {step.name} {step.status ? <StatusBadge status={step.status} /> : <span class="muted">not started</span>}{' '}
          {step.taskId && <TaskLink id={step.taskId} />}
          {step.dependsOn.length > 1 && <span class="muted"> after {step.dependsOn.join(', ')}</span>}
        </span>
        {next.length > 0 && <ul>{next.map(render)}</ul>}
      </li>
    );
  };
  return <ul class="tree">{roots.map(render)}</ul>;
}
