// Hourly flow of one Vietnam day, with the day's totals beside the chart.
import { useEffect, useState } from 'react';
import type { KioskClient } from '../../../src/contract/api.js';
import type { FlowHour } from '../../../src/contract/api-audit.js';
import { FlowChart } from './FlowChart.js';
import { useSupText } from './texts.js';
import { messageOf, vnDay, vnDayRange } from './util.js';

export function FlowView({
  client,
  nowMs,
  onError,
}: {
  client: KioskClient;
  nowMs: number;
  onError: (err: unknown) => void;
}) {
  const { t, lang } = useSupText();
  const [day, setDay] = useState(() => vnDay(nowMs));
  const [typed, setTyped] = useState(day);
  const [hours, setHours] = useState<FlowHour[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const range = vnDayRange(day);
    if (!range) return;
    client
      .call('audit.flow', range)
      .then((h) => {
        setHours(h);
        setError(null);
      })
      .catch((err: unknown) => {
        onError(err);
        setError(messageOf(err, lang));
      });
  }, [client, day, lang, onError]);

  const step = (days: number) => {
    const r = vnDayRange(day);
    if (!r) return;
    const next = vnDay(Date.parse(r.from) + days * 86_400_000);
    setDay(next);
    setTyped(next);
  };
  const sum = (f: (h: FlowHour) => number) => hours.reduce((n, h) => n + f(h), 0);
  const totals: [string, number, string][] = [
    [t.flowIn, sum((h) => h.in.allowed + h.in.denied + h.in.review), ''],
    [t.flowOut, sum((h) => h.out.allowed + h.out.denied + h.out.review), ''],
    [t.allowed, sum((h) => h.in.allowed + h.out.allowed), 'allow'],
    [t.denied, sum((h) => h.in.denied + h.out.denied), 'deny'],
    [t.review, sum((h) => h.in.review + h.out.review), 'review'],
    [t.overridden, sum((h) => h.in.overridden + h.out.overridden), 'override'],
  ];
  return (
    <section className="view" data-testid="flow-view">
      <div className="row">
        <h2>{t.flowTitle}</h2>
        <button type="button" className="btn" aria-label="‹" onClick={() => step(-1)}>
          ‹
        </button>
        <label className="field field--inline">
          <span>{t.day}</span>
          <input
            value={typed}
            placeholder="dd/mm/yyyy"
            maxLength={10}
            data-testid="flow-day"
            onChange={(e) => {
              setTyped(e.target.value);
              if (vnDayRange(e.target.value)) setDay(e.target.value);
            }}
          />
        </label>
        <button type="button" className="btn" aria-label="›" onClick={() => step(1)}>
          ›
        </button>
      </div>
      {error ? <p className="sup-error">{error}</p> : null}
      <div className="totals" data-testid="flow-totals">
        {totals.map(([label, n, kind]) => (
          <div key={label} className={`total${kind ? ` total--${kind}` : ''}`}>
            <div className="total__n">{n}</div>
            <div className="total__label">{label}</div>
          </div>
        ))}
      </div>
      <FlowChart hours={hours} />
    </section>
  );
}
