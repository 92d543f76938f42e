// Events from the kiosks, newest first: alerts (revoked permit, unknown issuer, scanner lost, …) stand
// out from ordinary denials; "alerts only" hides the denials.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatVnDateTime } from '../../../../renderer/src/format.js';
import type { AlertView } from '../../../server/types.js';
import { post, useSession } from '../session.js';
import { ago } from '../time.js';

/** An operator acknowledges an alert; everyone sees who did. */
function AckLine({ a }: { a: AlertView }) {
  const { t } = useTranslation();
  const { can, csrfToken } = useSession();
  const [busy, setBusy] = useState(false);
  if (a.ackedBy) {
    return (
      <div className="feed__ack muted small" data-testid="acked">
        ✓ {t('ackedBy', { name: a.ackedBy })}
      </div>
    );
  }
  if (!can.includes('ack')) return null;
  return (
    <button
      type="button"
      className="mini"
      disabled={busy}
      data-testid="ack"
      onClick={async () => {
        setBusy(true);
        await post('./api/alerts/ack', { seq: a.seq }, csrfToken);
        setBusy(false);
      }}
    >
      {t('ack')}
    </button>
  );
}

export function AlertsFeed({ alerts, nowMs }: { alerts: AlertView[]; nowMs: number }) {
  const { t } = useTranslation();
  const [alertsOnly, setAlertsOnly] = useState(false);
  const shown = alertsOnly ? alerts.filter((a) => a.alert !== null) : alerts;
  return (
    <section className="panel panel--alerts" aria-live="polite">
      <div className="panel__head">
        <h2>{t('alerts')}</h2>
        <label className="check">
          <input type="checkbox" checked={alertsOnly} onChange={(e) => setAlertsOnly(e.target.checked)} />
          {t('alertsOnly')}
        </label>
      </div>
      {shown.length === 0 ? (
        <p className="empty">{t('noAlerts')}</p>
      ) : (
        <ol className="feed" data-testid="alerts">
          {shown.map((a) => {
            const tone = a.alert ? 'alert' : a.kind === 'override' ? 'override' : 'denial';
            return (
              <li key={a.seq} className={`feed__item feed__item--${tone}`} data-kind={a.alert ?? a.kind}>
                <div className="feed__line">
                  <span className={`badge badge--${tone}`}>
                    {t(`eventKinds.${a.alert ?? a.kind}`, { defaultValue: a.alert ?? a.kind })}
                  </span>
                  <strong>
                    {a.checkpoint}
                    {a.kiosk ? ` · ${a.kiosk}` : ''}
                  </strong>
                  <span className="muted">{a.districtName ?? a.district}</span>
                  <time className="feed__time" title={formatVnDateTime(a.at)}>
                    {ago(t, a.at, nowMs)}
                  </time>
                </div>
                <AckLine a={a} />
                <div className="feed__reasons">
                  {a.passback
                    ? t('passbackDetail', {
                        area: a.passback.areaName ?? a.passback.area,
                        first: entryText(a.passback.entries[0]),
                        second: entryText(a.passback.entries[1]),
                      })
                    : a.instances
                      ? t('conflictDetail', {
                          kiosk: a.kiosk,
                          instances: a.instances.map((i) => i.slice(0, 8)).join(', '),
                        })
                      : a.reasons.map((r) => t(`reason.${r}`, { defaultValue: r })).join(' · ') || '—'}
                  {a.direction ? ` · ${a.direction === 'in' ? t('dirIn') : t('dirOut')}` : ''}
                  {a.lane ? ` · ${t('lane')} ${a.lane}` : ''}
                </div>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}

function entryText(e: { checkpoint: string | null; kiosk: string | null; at: string } | undefined): string {
  if (!e) return '—';
  return `${e.checkpoint ?? '?'}${e.kiosk ? ` · ${e.kiosk}` : ''} ${formatVnDateTime(e.at)}`;
}
