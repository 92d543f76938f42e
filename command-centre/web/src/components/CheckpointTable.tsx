// Every checkpoint with its kiosks beneath it: the checkpoint's row sums its kiosks; each kiosk says
// whether it is online, silent or offline, what waits in its outbox for our receipt, and how far our
// receipt trails what it sent. Checkpoints with a kiosk out of contact come first.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatVnDateTime } from '../../../../renderer/src/format.js';
import {
  type ApiErrorBody,
  type CheckpointView,
  type KioskView,
  kioskLiveness,
  type Liveness,
  type ResendResult,
} from '../../../server/types.js';
import { useSession } from '../session.js';
import { ago, fmt } from '../time.js';
import { sum } from '../totals.js';

export type CheckpointState = 'online' | 'partial' | 'offline';

/** A checkpoint is online when all its kiosks are, offline when none is, partly online otherwise. */
export function checkpointState(c: CheckpointView, nowMs: number): CheckpointState {
  const live = c.kiosks.filter((k) => kioskLiveness(k, nowMs) === 'online').length;
  return live === c.kiosks.length ? 'online' : live === 0 ? 'offline' : 'partial';
}

export const STATE_RANK: Record<CheckpointState, number> = { offline: 0, partial: 1, online: 2 };

const LIVENESS_RANK: Record<Liveness, number> = { offline: 0, silent: 1, online: 2 };

export function CheckpointTable({ rows, nowMs }: { rows: CheckpointView[]; nowMs: number }) {
  const { t } = useTranslation();
  return (
    <div className="scroll">
      <table className="cps">
        <thead>
          <tr>
            <th>{t('state')}</th>
            <th>{t('checkpointKiosk')}</th>
            <th>{t('lane')}</th>
            <th>{t('lastSeen')}</th>
            <th className="num">{t('allowed')}</th>
            <th className="num">{t('denied')}</th>
            <th className="num">{t('review')}</th>
            <th className="num">{t('people')}</th>
            <th className="num" title={t('unreceiptedHint')}>
              {t('unreceipted')}
            </th>
            <th className="num" title={t('receiptLagHint')}>
              {t('receiptLag')}
            </th>
            <th>{t('scanner')}</th>
          </tr>
        </thead>
        {rows.map((c) => (
          <CheckpointRows key={`${c.district}/${c.checkpoint}`} c={c} nowMs={nowMs} />
        ))}
      </table>
    </div>
  );
}

function CheckpointRows({ c, nowMs }: { c: CheckpointView; nowMs: number }) {
  const { t } = useTranslation();
  const state = checkpointState(c, nowMs);
  const live = c.kiosks.filter((k) => kioskLiveness(k, nowMs) === 'online').length;
  const s = sum(c.today);
  const unreceipted = c.kiosks.reduce((n, k) => n + (k.unreceipted ?? 0), 0);
  const lag = Math.max(0, ...c.kiosks.map((k) => k.receiptLag ?? 0));
  const lastHeard =
    c.kiosks
      .map((k) => k.lastSeenAt)
      .sort()
      .at(-1) ?? null;
  const kiosks = [...c.kiosks].sort(
    (a, b) =>
      a.kiosk.localeCompare(b.kiosk, 'vi', { numeric: true }) ||
      LIVENESS_RANK[kioskLiveness(a, nowMs)] - LIVENESS_RANK[kioskLiveness(b, nowMs)],
  );
  return (
    <tbody
      className={`cpgroup cpgroup--${state}`}
      data-testid={`cp-${c.district}-${c.checkpoint}`}
      data-state={state}
    >
      <tr className={`cp cp--${state}`}>
        <td>
          <span className={`dot dot--${state}`} aria-hidden="true" />
          <span className="cp__state" data-testid="cp-state">
            {t(`cpState.${state}`, { live, all: c.kiosks.length })}
          </span>
        </td>
        <td className="cp__id">
          {c.checkpoint} <span className="muted cp__district">{c.districtName ?? c.district}</span>
        </td>
        <td />
        <td title={lastHeard ? formatVnDateTime(lastHeard) : ''}>{ago(t, lastHeard, nowMs)}</td>
        <td className="num" data-testid="cp-allowed">
          {fmt.format(s.allowed)}
        </td>
        <td className={s.denied > 0 ? 'num num--bad' : 'num'} data-testid="cp-denied">
          {fmt.format(s.denied)}
        </td>
        <td className="num" data-testid="cp-review">
          {fmt.format(s.review)}
        </td>
        <td className="num" data-testid="cp-people">
          {fmt.format(s.people)}
        </td>
        <td className={unreceipted > 0 ? 'num warn' : 'num'} data-testid="cp-unreceipted">
          {fmt.format(unreceipted)}
        </td>
        <td className={lag > 0 ? 'num warn' : 'num'}>{fmt.format(lag)}</td>
        <td />
      </tr>
      {kiosks.map((k) => (
        <KioskRow key={k.instance} c={c} k={k} nowMs={nowMs} />
      ))}
    </tbody>
  );
}

function KioskRow({ c, k, nowMs }: { c: CheckpointView; k: KioskView; nowMs: number }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const state = kioskLiveness(k, nowMs);
  const s = sum(k.today);
  const heard = state === 'offline' ? (k.changedAt ?? k.lastSeenAt) : (k.lastStatusAt ?? k.lastSeenAt);
  const waiting = k.unreceipted ?? 0;
  return (
    <tr
      className={`kiosk kiosk--${state}${k.conflict ? ' kiosk--conflict' : ''}`}
      data-testid={`kiosk-${c.district}-${c.checkpoint}-${k.kiosk}`}
      data-instance={k.instance}
      data-state={state}
    >
      <td className="kiosk__state">
        <span className={`dot dot--${state}`} aria-hidden="true" />
        <span className="cp__state">{t(state)}</span>
      </td>
      <td className="kiosk__id">
        <span className="kiosk__name">{k.kiosk}</span>
        {k.conflict ? (
          <span className="badge badge--alert" title={k.instance}>
            {t('conflict')} · {k.instance.slice(0, 8)}
          </span>
        ) : null}
      </td>
      <td>{k.lane ?? '—'}</td>
      <td title={heard ? formatVnDateTime(heard) : ''}>{ago(t, heard, nowMs)}</td>
      <td className="num">{fmt.format(s.allowed)}</td>
      <td className={s.denied > 0 ? 'num num--bad' : 'num'}>{fmt.format(s.denied)}</td>
      <td className="num">{fmt.format(s.review)}</td>
      <td className="num">{fmt.format(s.people)}</td>
      <td
        className={waiting > 0 ? 'num warn' : 'num'}
        data-testid="kiosk-unreceipted"
        title={k.oldestUnreceiptedAt ? `${t('oldest')} ${formatVnDateTime(k.oldestUnreceiptedAt)}` : ''}
      >
        {k.unreceipted === null ? '—' : fmt.format(k.unreceipted)}
        {waiting > 0 && k.oldestUnreceiptedAt ? (
          <span className="muted small"> · {ago(t, k.oldestUnreceiptedAt, nowMs)}</span>
        ) : null}
      </td>
      <td className={(k.receiptLag ?? 0) > 0 ? 'num warn' : 'num'} data-testid="kiosk-lag">
        {k.receiptLag === null ? '—' : fmt.format(k.receiptLag)}
        {(k.receiptLag ?? 0) > 0 && state !== 'offline' && can.includes('resend') ? (
          <ResendButton c={c} k={k} />
        ) : null}
      </td>
      <td className={k.status.scanner && k.status.scanner !== 'ok' ? 'warn' : ''}>
        {k.status.scanner ? t(`scannerState.${k.status.scanner}`) : '—'}
      </td>
    </tr>
  );
}

/** Asks the kiosk to send again what the database lacks (the server picks the first gap). */
function ResendButton({ c, k }: { c: CheckpointView; k: KioskView }) {
  const { t, i18n } = useTranslation();
  const { csrfToken } = useSession();
  const [note, setNote] = useState<{ short: string; long: string } | null>(null);
  const send = async () => {
    setNote({ short: '…', long: t('resendSending') });
    try {
      const res = await fetch('./api/resend', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-CC-CSRF': csrfToken },
        body: JSON.stringify({
          district: c.district,
          checkpoint: c.checkpoint,
          kiosk: k.kiosk,
          instance: k.instance,
        }),
      });
      const body = (await res.json()) as { ok: boolean; result?: ResendResult; error?: ApiErrorBody };
      if (body.ok && body.result) {
        const range = { from: body.result.from, to: body.result.to };
        setNote({ short: `✓ ${range.from}–${range.to}`, long: t('resendDone', range) });
      } else {
        const why = body.error
          ? i18n.language === 'en'
            ? body.error.en
            : body.error.vi
          : String(res.status);
        setNote({ short: why, long: why });
      }
    } catch (err) {
      setNote({ short: String(err), long: String(err) });
    }
  };
  return (
    <>
      {' '}
      <button type="button" className="mini" onClick={send} title={t('resendHint')}>
        {t('resend')}
      </button>
      {note ? (
        <span className="muted small" data-testid="resend-note" title={note.long}>
          {' '}
          {note.short}
        </span>
      ) : null}
    </>
  );
}
