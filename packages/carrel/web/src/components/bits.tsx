/** Small pieces shared by the pages. */
import type { ComponentChildren } from 'preact';
import { formatPercent, prettyJson } from '../format.js';
import type { Progress, TaskStatus } from '../types.js';

export function StatusBadge({ status }: { status: TaskStatus | string }) {
  return <span class={`status status-${status}`}>{status.replace('_', ' ')}</span>;
}

/** A task's progress as a native <progress> (indeterminate without a total), named by `label`. */
export function ProgressBar({ progress, status, label }: { progress: Progress | null; status: TaskStatus; label: string }) {
  const done = status === 'completed';
  const total = progress?.total;
  const fraction = done ? 1 : progress && total ? Math.min(progress.progress / total, 1) : null;
  // A running task without a total animates; one that ended without a total shows an empty bar.
  const running = status === 'working' || status === 'input_required';
  return (
    <div class="progress">
      {fraction !== null ? (
        <progress aria-label={label} max={1} value={fraction} data-fraction={fraction.toFixed(3)} />
      ) : running ? (
        <progress aria-label={label} />
      ) : (
        <progress aria-label={label} max={1} value={0} />
      )}
      <span class="progress-text">
        {fraction !== null ? formatPercent(fraction) : progress ? String(progress.progress) : ''}
        {progress?.message && running ? ` · ${progress.message}` : ''}
      </span>
    </div>
  );
}

export function ErrorNote({ error }: { error: Error | null }) {
  return error ? (
    <p class="error" role="alert">
      {error.message}
    </p>
  ) : null;
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="muted" aria-live="polite">
      Loading {what}…
    </p>
  );
}

/** A table's header row: one column header per label. */
export function ColumnHeads({ labels }: { labels: readonly string[] }) {
  return (
    <thead role="rowgroup">
      <tr role="row">
        {labels.map((label) => (
          <th key={label} scope="col" role="columnheader">
            {label}
          </th>
        ))}
      </tr>
    </thead>
  );
}

export function Section({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <section class="panel" aria-label={title}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

/** A JSON value, pretty-printed; focusable, so a keyboard can scroll a wide one. */
export function Json({ value, label }: { value: unknown; label: string }) {
  return (
    <pre class="json" tabIndex={0} aria-label={label}>
      {prettyJson(value)}
    </pre>
  );
}
