import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { type ChartColumns, colorFor } from './usage-data.js';

export interface UsageChartProps {
  columns: ChartColumns;
  /** Read by screen readers (the canvas itself says nothing). */
  label: string;
  height?: number;
}

/**
 * A time-series chart of verification counts (uPlot: small and fast on a canvas). The
 * figure carries an accessible label and a visually hidden table of the totals.
 */
export default function UsageChart({ columns, label, height = 240 }: UsageChartProps) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = host.current;
    if (element === null) return;
    const width = Math.max(320, element.clientWidth);
    const chart = new uPlot(
      {
        width,
        height,
        legend: { show: true },
        scales: { x: { time: true } },
        axes: [{ stroke: '#475569' }, { stroke: '#475569', size: 56 }],
        series: [
          {},
          ...columns.groups.map((group, i) => ({
            label: group.name,
            stroke: colorFor(group.name, i),
            width: 2,
            fill: `${colorFor(group.name, i)}14`,
            points: { show: false },
          })),
        ],
      },
      [columns.x, ...columns.groups.map((g) => g.counts)],
      element,
    );
    const resize = new ResizeObserver(() =>
      chart.setSize({ width: Math.max(320, element.clientWidth), height }),
    );
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [columns, height]);
  const totals = columns.groups.map((g) => ({ name: g.name, total: g.counts.reduce((a, b) => a + b, 0) }));
  return (
    <figure className="chart" aria-label={label}>
      <div ref={host} />
      <table className="visually-hidden chart-totals">
        <caption>{label}</caption>
        <tbody>
          {totals.map((t) => (
            <tr key={t.name}>
              <th scope="row">{t.name}</th>
              <td>{t.total}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {columns.groups.length === 0 ? <p className="empty">No verifications in this range yet.</p> : null}
    </figure>
  );
}
