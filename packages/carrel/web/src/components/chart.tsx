/**
 * A time-series line chart drawn by uPlot, sized to its container and to the page's colours. uPlot
 * is half the page's script and only the Queues page draws charts: it loads when the first chart does.
 */
import { useEffect, useRef } from 'preact/hooks';
import type uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { theme } from '../theme.js';

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  /** Series of one colour are one subject (a tool, a node); a dashed one is its second measure (p95 beside p50). */
  colour: number;
  dashed?: boolean;
}

const PALETTE = ['#2f7dd1', '#d9534f', '#3a9d5d', '#c98a1b', '#8a5cc7', '#1aa3a3', '#c75c9a', '#6b7a8f'];

export function Chart({
  title,
  start,
  bucketMs,
  series,
  unit,
}: {
  title: string;
  start: number;
  bucketMs: number;
  series: ChartSeries[];
  unit: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const dark = theme.value === 'dark';
  useEffect(() => {
    const element = box.current!;
    const count = series[0]?.values.length ?? 0;
    const times = Array.from({ length: count }, (_, i) => (start + i * bucketMs) / 1000);
    const axis = dark ? '#c9d1d9' : '#3b4450';
    const grid = dark ? '#30363d' : '#e3e6ea';
    let plot: uPlot | undefined;
    let resize: ResizeObserver | undefined;
    let cancelled = false;
    void import('uplot').then(({ default: UPlot }) => {
      if (cancelled) return;
      plot = new UPlot(
        {
          width: Math.max(element.clientWidth, 200),
          height: 180,
          series: [
            {},
            ...series.map((s) => ({
              label: s.label,
              stroke: PALETTE[s.colour % PALETTE.length],
              width: 2,
              ...(s.dashed && { dash: [6, 4] }),
              spanGaps: false,
              // A bucket between two empty ones has no line to draw: its point is all that shows it.
              points: { show: true, size: 4 },
            })),
          ],
          axes: [
            { stroke: axis, grid: { stroke: grid } },
            { stroke: axis, grid: { stroke: grid }, label: unit, size: 56 },
          ],
          legend: { live: false },
        },
        [times, ...series.map((s) => s.values)] as uPlot.AlignedData,
        element,
      );
      resize = new ResizeObserver(() => plot!.setSize({ width: Math.max(element.clientWidth, 200), height: 180 }));
      resize.observe(element);
    });
    return () => {
      cancelled = true;
      resize?.disconnect();
      plot?.destroy();
    };
  }, [start, bucketMs, series, unit, dark]);
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <div ref={box} role="img" aria-label={`${title} chart`} />
    </figure>
  );
}
