/**
 * Queue counts per tool and, over a chosen window, throughput and p50/p95 wait and run time as
 * charts, per tool and per node. The stream's `queues` events say when to load again.
 */
import { useEffect, useMemo } from 'preact/hooks';
import { get, withQuery } from '../api.js';
import { ColumnHeads, ErrorNote, Loading, Section } from '../components/bits.js';
import { Chart, type ChartSeries } from '../components/chart.js';
import { useLoad } from '../components/load.js';
import { subscribe } from '../events.js';
import { navigate } from '../router.js';
import type { Queues } from '../types.js';

const WINDOWS = ['15m', '1h', '6h', '24h'] as const;

export function QueuesPage({ window }: { window: string }) {
  const span = (WINDOWS as readonly string[]).includes(window) ? window : '1h';
  const loaded = useLoad(`queues/${span}`, () => get<Queues>(withQuery('/queues', { window: span })));
  const { reload } = loaded;
  useEffect(() => subscribe((event) => (event.type === 'queues' || event.type === 'resync') && reload()), [reload]);
  const queues = loaded.value;
  return (
    <>
      <h1>Queues</h1>
      <div class="toolbar">
        <label>
          Window
          <select value={span} onChange={(e) => navigate(withQuery('/queues', { window: e.currentTarget.value }))}>
            {WINDOWS.map((w) => (
              <option key={w} value={w}>
                last {w}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorNote error={loaded.error} />
      {!queues ? !loaded.error && <Loading what="queues" /> : <QueueView queues={queues} />}
    </>
  );
}

function QueueView({ queues }: { queues: Queues }) {
  const { series } = queues;
  const charts = useMemo(() => chartsOf(queues), [queues]);
  return (
    <>
      <Section title="Tasks per tool">
        {queues.tools.length === 0 ? (
          <p class="muted">No tasks yet.</p>
        ) : (
          <table role="table" class="numbers">
            <ColumnHeads labels={['Tool', 'Working', 'Waiting', 'Input required', 'Failed', 'Completed', 'Cancelled']} />
            <tbody role="rowgroup">
              {queues.tools.map((t) => (
                <tr role="row" key={t.tool}>
                  <th scope="row" role="rowheader">
                    <a href={withQuery('/dashboard/tasks', { q: `tool:${t.tool}` })}>{t.tool}</a>
                  </th>
                  <td role="cell">{t.working}</td>
                  <td role="cell">{t.waiting}</td>
                  <td role="cell">{t.inputRequired}</td>
                  <td role="cell">{t.failed}</td>
                  <td role="cell">{t.completed}</td>
                  <td role="cell">{t.cancelled}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      <div class="charts">
        {charts.map((c) => (
          <Chart key={c.title} title={c.title} unit={c.unit} start={series.start} bucketMs={series.bucketMs} series={c.series} />
        ))}
      </div>
    </>
  );
}

function chartsOf(queues: Queues): { title: string; unit: string; series: ChartSeries[] }[] {
  const tools = Object.entries(queues.series.perTool);
  const nodes = Object.entries(queues.series.perNode);
  const per = <T,>(entries: [string, T][], pick: (value: T) => (number | null)[], suffix = '', dashed = false): ChartSeries[] =>
    entries.map(([name, value], colour) => ({ label: name + suffix, values: pick(value), colour, dashed }));
  const perBucket = `tasks per ${Math.round(queues.series.bucketMs / 1000)} s`;
  return [
    { title: 'Completed per tool', unit: perBucket, series: per(tools, (t) => t.completed) },
    { title: 'Failed per tool', unit: perBucket, series: per(tools, (t) => t.failed) },
    {
      title: 'Wait time (p50 and p95)',
      unit: 'ms',
      series: [...per(tools, (t) => t.waitP50, ' p50'), ...per(tools, (t) => t.waitP95, ' p95', true)],
    },
    {
      title: 'Run time (p50 and p95)',
      unit: 'ms',
      series: [...per(tools, (t) => t.runP50, ' p50'), ...per(tools, (t) => t.runP95, ' p95', true)],
    },
    { title: 'Completed per node', unit: perBucket, series: per(nodes, (n) => n.completed) },
    { title: 'Run time p50 per node', unit: 'ms', series: per(nodes, (n) => n.runP50) },
  ].filter((c) => c.series.length > 0);
}
