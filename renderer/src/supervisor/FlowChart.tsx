// Passages per hour as stacked bars (uPlot): allowed, check, denied, with the hours in Vietnam time
// whatever the laptop's time zone. Colours come with words in the legend: never colour alone.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { FlowHour } from '../../../src/contract/api-audit.js';
import { useSupText } from './texts.js';

const COLORS = { allowed: '#0b6e2a', review: '#c98a00', denied: '#b00020' };

export function FlowChart({ hours, height = 260 }: { hours: FlowHour[]; height?: number }) {
  const { t } = useSupText();
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = box.current;
    if (!el || hours.length === 0) return;
    const xs = hours.map((h) => Date.parse(h.hour) / 1000);
    const allowed = hours.map((h) => h.in.allowed + h.out.allowed);
    const review = hours.map((h) => h.in.review + h.out.review);
    const denied = hours.map((h) => h.in.denied + h.out.denied);
    // Stacked by drawing the tallest first: each later series covers the bottom of the one before.
    const top = allowed.map((a, i) => a + review[i]! + denied[i]!);
    const mid = allowed.map((a, i) => a + review[i]!);
    const raw = [null, denied, review, allowed];
    const bars = uPlot.paths.bars?.({ size: [0.7, 48], align: 0 });
    const series = (label: string, stroke: string): uPlot.Series => ({
      label,
      stroke,
      fill: stroke,
      width: 0,
      ...(bars ? { paths: bars } : {}),
      points: { show: false },
      value: (_u, _v, si, i) => (i === null || i === undefined ? '–' : String(raw[si]?.[i] ?? '')),
    });
    const plot = new uPlot(
      {
        width: Math.max(320, el.clientWidth),
        height,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Asia/Ho_Chi_Minh'),
        scales: {
          // Half an hour of room on each side, so that one hour still reads as a bar.
          x: { time: true, range: (_u, min, max) => [min - 1800, max + 1800] },
          y: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.1))] },
        },
        axes: [
          {
            // Whole hours only, written in Vietnam time.
            incrs: [3600, 2 * 3600, 3 * 3600, 6 * 3600, 12 * 3600, 24 * 3600],
            values: (_u, ticks) =>
              ticks.map((s) =>
                uPlot.fmtDate('{HH}:{mm}')(uPlot.tzDate(new Date(s * 1000), 'Asia/Ho_Chi_Minh')),
              ),
          },
          {},
        ],
        series: [
          {
            label: t.time,
            value: (_u, v) =>
              v
                ? uPlot.fmtDate('{DD}/{MM} {HH}:00')(uPlot.tzDate(new Date(v * 1000), 'Asia/Ho_Chi_Minh'))
                : '–',
          },
          series(t.denied, COLORS.denied),
          series(t.review, COLORS.review),
          series(t.allowed, COLORS.allowed),
        ],
      },
      [xs, top, mid, allowed],
      el,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(320, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [hours, height, t]);

  return <div className="chart" ref={box} data-testid="flow-chart" />;
}
