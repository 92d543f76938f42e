// Passages as the supervisor reads them: a paged table (newest first, with how long the search took)
// and the full record of one passage, its override included.
import { useCallback, useEffect, useState } from 'react';
import type { KioskClient } from '../../../src/contract/api.js';
import type { AuditPassage, SearchFilters, SearchResult } from '../../../src/contract/api-audit.js';
import {
  DIRECTION_TEXT,
  label,
  PURPOSE_TEXT,
  SOURCE_TEXT,
  VEHICLE_TEXT,
} from '../../../src/contract/audit-words.js';
import { DECISION_TEXT, REASON_TEXT } from '../../../src/contract/reason-words.js';
import { formatVnDateTime } from '../format.js';
import { type Lang, type SupText, useSupText } from './texts.js';
import { messageOf } from './util.js';

export interface PageState {
  rows: AuditPassage[];
  partial?: boolean;
  next: SearchResult['next'];
  tookMs: number | null;
  loading: boolean;
  error: string | null;
}

/** Runs a search whenever the filters change; `more()` fetches the next page. */
export function usePassages(
  client: KioskClient,
  filters: SearchFilters | null,
  onError: (err: unknown) => void,
): PageState & { more: () => void; reload: () => void } {
  const { lang } = useSupText();
  const [state, setState] = useState<PageState>({
    rows: [],
    next: null,
    tookMs: null,
    loading: false,
    error: null,
  });
  const [tick, setTick] = useState(0);
  const key = JSON.stringify(filters);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the filters are compared by their JSON
  useEffect(() => {
    if (filters === null) return;
    let live = true;
    setState((s) => ({ ...s, loading: true, error: null }));
    client
      .call('audit.search', { ...filters, limit: 50 })
      .then((r) => {
        if (live)
          setState({
            rows: r.rows,
            next: r.next,
            tookMs: r.tookMs,
            loading: false,
            error: null,
            partial: r.partial ?? false,
          });
      })
      .catch((err: unknown) => {
        onError(err);
        if (live) setState((s) => ({ ...s, loading: false, error: messageOf(err, lang) }));
      });
    return () => {
      live = false;
    };
  }, [client, key, tick, lang, onError]);

  const more = useCallback(() => {
    if (!filters || !state.next) return;
    setState((s) => ({ ...s, loading: true }));
    client
      .call('audit.search', { ...filters, limit: 50, before: state.next })
      .then((r) =>
        setState((s) => ({
          rows: [...s.rows, ...r.rows],
          next: r.next,
          tookMs: r.tookMs,
          loading: false,
          error: null,
        })),
      )
      .catch((err: unknown) => {
        onError(err);
        setState((s) => ({ ...s, loading: false, error: messageOf(err, lang) }));
      });
  }, [client, filters, state.next, lang, onError]);

  return { ...state, more, reload: () => setTick((n) => n + 1) };
}

function decisionClass(p: AuditPassage): string {
  if (p.override) return 'pill pill--override';
  return `pill pill--${p.decision.toLowerCase()}`;
}

export function DecisionPill({ p, lang, t }: { p: AuditPassage; lang: Lang; t: SupText }) {
  return (
    <span className={decisionClass(p)}>
      {DECISION_TEXT[p.decision][lang]}
      {p.override ? ` → ${t.overridden}` : ''}
    </span>
  );
}

export function PassageTable({
  page,
  onOpen,
}: {
  page: PageState & { more: () => void };
  onOpen: (p: AuditPassage) => void;
}) {
  const { t, lang } = useSupText();
  return (
    <div className="results">
      <div className="results__meta" data-testid="results-meta">
        {page.loading && page.tookMs === null ? t.loading : null}
        {page.tookMs !== null ? t.results(page.rows.length, page.tookMs, page.next !== null) : null}
        {page.partial ? <span className="sup-warn"> {t.partial}</span> : null}
        {page.error ? <span className="sup-error"> {page.error}</span> : null}
      </div>
      {page.rows.length === 0 && !page.loading ? <p className="results__none">{t.none}</p> : null}
      {page.rows.length > 0 ? (
        <table className="table" data-testid="results">
          <thead>
            <tr>
              <th>{t.time}</th>
              <th>{t.direction}</th>
              <th>{t.decision}</th>
              <th>{t.holder}</th>
              <th>{t.idMasked}</th>
              <th>{t.vehicle}</th>
              <th>{t.reason}</th>
              <th>{t.guard}</th>
            </tr>
          </thead>
          <tbody>
            {page.rows.map((p) => (
              <tr
                key={p.id}
                data-testid="result-row"
                data-id={p.id}
                onClick={() => onOpen(p)}
                tabIndex={0}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') onOpen(p);
                }}
              >
                <td className="nowrap">{formatVnDateTime(p.at)}</td>
                <td>{DIRECTION_TEXT[p.direction][lang]}</td>
                <td>
                  <DecisionPill p={p} lang={lang} t={t} />
                </td>
                <td>{p.holderName ?? (p.purged ? <em className="muted">{t.purged}</em> : '—')}</td>
                <td className="mono">{p.idMasked ?? ''}</td>
                <td>
                  {p.vehiclePlate ?? ''}{' '}
                  {p.vehicleType ? (
                    <span className="muted">{label(VEHICLE_TEXT, p.vehicleType, lang)}</span>
                  ) : null}
                </td>
                <td className="reasons">{p.reasons.map((r) => REASON_TEXT[r][lang]).join('; ')}</td>
                <td>{p.guard ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {page.next ? (
        <button type="button" className="btn" data-testid="more" disabled={page.loading} onClick={page.more}>
          {t.more}
        </button>
      ) : null}
    </div>
  );
}

export function PassageDetail({ p, onClose }: { p: AuditPassage; onClose: () => void }) {
  const { t, lang } = useSupText();
  const rows: [string, string][] = [
    [t.time, formatVnDateTime(p.at)],
    [
      t.decision,
      `${DECISION_TEXT[p.decision][lang]}${p.reasons.length ? ` — ${p.reasons.map((r) => REASON_TEXT[r][lang]).join('; ')}` : ''}`,
    ],
    [
      t.direction,
      `${DIRECTION_TEXT[p.direction][lang]} · ${t.lane} ${p.lane} · ${label(SOURCE_TEXT, p.source, lang)}`,
    ],
    [t.holder, p.holderName ?? (p.purged ? t.purged : '—')],
    [t.idMasked, p.idMasked ?? '—'],
    [t.purpose, label(PURPOSE_TEXT, p.purpose, lang) || '—'],
    [
      t.vehicle,
      [p.vehiclePlate, label(VEHICLE_TEXT, p.vehicleType, lang)].filter(Boolean).join(' · ') || '—',
    ],
    [t.people, String(p.people)],
    [t.permit, p.cti ?? '—'],
    [t.issuer, p.iss ?? '—'],
    [t.permitHash, p.permitHash ?? '—'],
    [t.guard, p.guard ?? '—'],
    [t.shiftNo, p.shiftId === null ? '—' : String(p.shiftId)],
    [t.chain, `#${p.id} · seq ${p.seq}`],
  ];
  return (
    <div
      className="dialog"
      role="dialog"
      aria-modal="true"
      aria-labelledby="passage-title"
      data-testid="passage-detail"
    >
      <div className="dialog__box dialog__box--wide">
        <h2 id="passage-title">
          {t.detail} #{p.id}
        </h2>
        {p.override ? (
          <div className="override-box" data-testid="override-box">
            <strong>{t.overridden}</strong>
            <div>
              {t.overrideReason}: <q>{p.override.reason}</q>
            </div>
            <div className="muted">
              {t.overrideBy}: {p.override.by ?? '—'}, {formatVnDateTime(p.override.at)}
            </div>
          </div>
        ) : null}
        <dl className="kv">
          {rows.map(([k, v]) => (
            <div key={k} className="kv__row">
              <dt>{k}</dt>
              <dd className={k === t.permitHash ? 'mono small' : undefined}>{v}</dd>
            </div>
          ))}
        </dl>
        <div className="dialog__actions">
          <button type="button" className="btn" onClick={onClose} data-testid="close-detail">
            {t.close}
          </button>
        </div>
      </div>
    </div>
  );
}
