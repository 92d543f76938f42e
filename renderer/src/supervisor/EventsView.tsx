// The system log: logins, failed logins, shifts, overrides, exports, verifications, purges...
import { useCallback, useEffect, useState } from 'react';
import type { KioskClient } from '../../../src/contract/api.js';
import type { AuditEventView } from '../../../src/contract/api-audit.js';
import { AUDIT_KIND_TEXT, label } from '../../../src/contract/audit-words.js';
import { formatVnDateTime } from '../format.js';
import { useSupText } from './texts.js';
import { messageOf } from './util.js';

function summary(e: AuditEventView): string {
  const d = e.details;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(d)) {
    if (v === null || v === undefined || v === '') continue;
    parts.push(`${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  }
  return parts.join(' · ');
}

export function EventsView({ client, onError }: { client: KioskClient; onError: (err: unknown) => void }) {
  const { t, lang } = useSupText();
  const [events, setEvents] = useState<AuditEventView[]>([]);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(
    (before?: number) =>
      client
        .call('audit.events', { limit: 100, ...(before ? { before } : {}) })
        .then((r) => {
          setEvents((old) => (before ? [...old, ...r.events] : r.events));
          setMore(r.more);
        })
        .catch((err: unknown) => {
          onError(err);
          setError(messageOf(err, lang));
        }),
    [client, onError, lang],
  );
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section className="view" data-testid="events-view">
      {error ? <p className="sup-error">{error}</p> : null}
      <table className="table">
        <thead>
          <tr>
            <th>{t.time}</th>
            <th>{t.kind}</th>
            <th>{t.who}</th>
            <th>{t.details}</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr key={e.id} data-testid="event-row" data-kind={e.kind}>
              <td className="nowrap">{formatVnDateTime(e.at)}</td>
              <td>{label(AUDIT_KIND_TEXT, e.kind, lang)}</td>
              <td>{e.user ?? ''}</td>
              <td className="small">{summary(e)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {more ? (
        <button type="button" className="btn" onClick={() => void load(events.at(-1)?.id)}>
          {t.more}
        </button>
      ) : null}
    </section>
  );
}
