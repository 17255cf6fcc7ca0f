/** Connectors and their schedules: last sync, next run, what it changed; "Sync now" starts a sync task. */
import { useState } from 'preact/hooks';
import { get, post } from '../api.js';
import { ColumnHeads, ErrorNote, Loading, StatusBadge } from '../components/bits.js';
import { useLoad } from '../components/load.js';
import { formatTime } from '../format.js';
import type { Connector, TaskRow } from '../types.js';

export function ConnectorsPage({ canAct }: { canAct: boolean }) {
  const loaded = useLoad('connectors', () => get<{ connectors: Connector[] }>('/connectors'));
  const [started, setStarted] = useState<Record<string, string>>({});
  const [actionError, setActionError] = useState<Error | null>(null);

  async function sync(name: string) {
    setActionError(null);
    try {
      const { task } = await post<{ task: TaskRow }>(`/connectors/${encodeURIComponent(name)}/sync`);
      setStarted((s) => ({ ...s, [name]: task.id }));
    } catch (error) {
      setActionError(error as Error);
    }
  }

  const connectors = loaded.value?.connectors;
  return (
    <>
      <h1>Connectors</h1>
      <ErrorNote error={actionError ?? loaded.error} />
      {!connectors ? (
        !loaded.error && <Loading what="connectors" />
      ) : connectors.length === 0 ? (
        <p class="muted">
          No connectors. Add one with <code>carrel connector add</code>.
        </p>
      ) : (
        <table role="table" class="responsive">
          <ColumnHeads
            labels={[
              'Connector',
              'Kind',
              'Library',
              'Schedule',
              'Next run',
              'Last sync',
              'Added / updated / deleted',
              ...(canAct ? ['Action'] : []),
            ]}
          />
          <tbody role="rowgroup">
            {connectors.map((c) => (
              <tr role="row" key={c.name}>
                <th scope="row" role="rowheader" data-label="Connector">
                  {c.name}
                </th>
                <td role="cell" data-label="Kind">
                  {c.kind}
                </td>
                <td role="cell" data-label="Library">
                  {c.version ? `${c.library}@${c.version}` : c.library}
                </td>
                <td role="cell" data-label="Schedule">
                  {c.schedule ?? 'manual'}
                </td>
                <td role="cell" data-label="Next run">
                  {formatTime(c.nextRun)}
                </td>
                <td role="cell" data-label="Last sync">
                  {c.lastSync ? (
                    <>
                      {formatTime(c.lastSync.at)} <StatusBadge status={c.lastSync.status} /> {c.lastSync.message}{' '}
                      {c.lastSync.taskId && <a href={`/dashboard/tasks/${encodeURIComponent(c.lastSync.taskId)}`}>task</a>}
                    </>
                  ) : (
                    'never'
                  )}
                </td>
                <td role="cell" data-label="Added / updated / deleted">
                  {c.lastSync ? `${c.lastSync.added} / ${c.lastSync.updated} / ${c.lastSync.deleted}` : '—'}
                </td>
                {canAct && (
                  <td role="cell" data-label="Action">
                    <button type="button" onClick={() => void sync(c.name)}>
                      Sync now<span class="visually-hidden"> {c.name}</span>
                    </button>{' '}
                    {started[c.name] && (
                      <span role="status">
                        <a href={`/dashboard/tasks/${encodeURIComponent(started[c.name]!)}`}>sync started</a>
                      </span>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
