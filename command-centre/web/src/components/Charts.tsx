// Charts with uPlot (small, fast, canvas): passages per hour over the last day, and per district today.
// Bars are stacked by drawing the cumulative series back to front; the legend shows the real values.
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import uPlot from 'uplot';
import { formatVnTime } from '../../../../renderer/src/format.js';
import type { DistrictView, HourView } from '../../../server/types.js';
import { sum } from '../totals.js';

const COLOURS = { allowed: '#0b6e2a', denied: '#b00020', review: '#d08a00' };

interface Stack {
  labels: { allowed: string; denied: string; review: string };
  x: number[];
  allowed: number[];
  denied: number[];
  review: number[];
}

function stackedData(s: Stack): uPlot.AlignedData {
  const a = s.allowed;
  const ad = a.map((v, i) => v + s.denied[i]!);
  const adr = ad.map((v, i) => v + s.review[i]!);
  // Back to front: the tallest (all three) first, so each shorter bar paints over it.
  return [s.x, adr, ad, a];
}

function useUplot(
  build: (width: number) => uPlot.Options,
  data: uPlot.AlignedData,
  /** The chart is rebuilt when this changes (language, number of bars). */
  shape: string,
): React.RefObject<HTMLDivElement | null> {
  const ref = useRef<HTMLDivElement | null>(null);
  const plot = useRef<uPlot | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: rebuilt only when labels or shape change
  useEffect(() => {
    void shape;
    const el = ref.current;
    if (!el) return;
    const u = new uPlot(build(el.clientWidth || 600), data, el);
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: el.clientWidth || 600, height: u.height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [shape]);
  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);
  return ref;
}

function barSeries(
  labels: Stack['labels'],
  originals: () => [number[], number[], number[]],
  size: [number, number],
): uPlot.Series[] {
  const bars = uPlot.paths.bars!({ size, align: 0 });
  const names = [labels.review, labels.denied, labels.allowed];
  const fills = [COLOURS.review, COLOURS.denied, COLOURS.allowed];
  return names.map((label, i) => ({
    label,
    fill: fills[i],
    stroke: fills[i],
    width: 0,
    paths: bars,
    points: { show: false },
    value: (_u: uPlot, _v: number | null, _si: number, idx: number | null) =>
      idx === null ? '—' : String(originals()[i]![idx] ?? 0),
  }));
}

export function HourlyChart({ hours }: { hours: HourView[] }) {
  const { t, i18n } = useTranslation();
  const labels = { allowed: t('allowed'), denied: t('denied'), review: t('review') };
  const stack: Stack = {
    labels,
    x: hours.map((h) => Date.parse(h.hourStart) / 1000),
    allowed: hours.map((h) => h.allowed),
    denied: hours.map((h) => h.denied),
    review: hours.map((h) => h.review),
  };
  const latest = useRef(stack);
  latest.current = stack;
  const data = stackedData(stack);
  const ref = useUplot(
    (width) => ({
      width,
      height: 220,
      legend: { show: true },
      scales: {
        // Half an hour of room each side, so the first and last bars are whole.
        x: { time: true, range: (_u, min, max) => [min - 1800, max + 1800] },
        y: { range: (_u, _min, max) => [0, Math.max(5, max * 1.1)] },
      },
      axes: [
        { values: (_u, ticks) => ticks.map((s) => formatVnTime(s * 1000, false)), stroke: 'currentColor' },
        { stroke: 'currentColor' },
      ],
      series: [
        {
          label: i18n.language === 'en' ? 'Hour' : 'Giờ',
          value: (_u, v) => (v ? formatVnTime(v * 1000, false) : '—'),
        },
        ...barSeries(
          labels,
          () => [latest.current.review, latest.current.denied, latest.current.allowed],
          [0.7, 40],
        ),
      ],
    }),
    data,
    i18n.language,
  );
  return <div className="chart" ref={ref} data-testid="chart-hourly" />;
}

const shortName = (name: string | null, code: string) =>
  name ? name.replace(/^(Quận|Huyện|Thị xã) /, '') : code;

export function DistrictChart({ districts }: { districts: DistrictView[] }) {
  const { t, i18n } = useTranslation();
  const labels = { allowed: t('allowed'), denied: t('denied'), review: t('review') };
  const totals = districts.map((d) => sum(d.today));
  const stack: Stack = {
    labels,
    x: districts.map((_, i) => i),
    allowed: totals.map((s) => s.allowed),
    denied: totals.map((s) => s.denied),
    review: totals.map((s) => s.review),
  };
  const latest = useRef({ stack, districts });
  latest.current = { stack, districts };
  const data = stackedData(stack);
  const ref = useUplot(
    (width) => ({
      width,
      height: 240,
      legend: { show: true },
      scales: {
        x: { time: false, auto: false, range: () => [-0.6, latest.current.districts.length - 0.4] },
        y: { range: (_u, _min, max) => [0, Math.max(5, max * 1.1)] },
      },
      axes: [
        {
          stroke: 'currentColor',
          space: 14,
          rotate: -50,
          size: 90,
          incrs: [1],
          values: (_u, ticks) =>
            ticks.map((i) => {
              const d = latest.current.districts[i];
              return d ? shortName(d.name, d.district) : '';
            }),
        },
        { stroke: 'currentColor' },
      ],
      series: [
        {
          label: t('district'),
          value: (_u, v) => {
            const d = v === null ? undefined : latest.current.districts[v];
            return d ? shortName(d.name, d.district) : '—';
          },
        },
        ...barSeries(
          labels,
          () => [latest.current.stack.review, latest.current.stack.denied, latest.current.stack.allowed],
          [0.7, 30],
        ),
      ],
    }),
    data,
    `${i18n.language}/${districts.length}`,
  );
  return <div className="chart" ref={ref} data-testid="chart-districts" />;
}
