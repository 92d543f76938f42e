// The audit log for admins: logins (and refusals), account changes, acknowledgements, requests,
// approvals and publications, newest first, with whether the hash chain still verifies.
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatVnDateTime } from '../../../../renderer/src/format.js';

interface Entry {
  id: number;
  atMs: number;
  kind: string;
  userName: string | null;
  details: Record<string, unknown>;
}

interface Page {
  entries: Entry[];
  chain: { entries: number; firstBad: number | null };
}

export function AuditPage() {
  const { t } = useTranslation();
  const [page, setPage] = useState<Page | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async (before?: number) => {
    const res = await fetch(`./api/audit?limit=100${before ? `&before=${before}` : ''}`);
    if (!res.ok) {
      setError(String(res.status));
      return;
    }
    const next = (await res.json()) as Page;
    setPage((prev) => (before && prev ? { ...next, entries: [...prev.entries, ...next.entries] } : next));
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  if (error) return <p className="note note--bad">{error}</p>;
  if (!page) return <p className="loading">{t('loading')}</p>;
  const last = page.entries[page.entries.length - 1];
  return (
    <main className="wide">
      <section className="panel">
        <h2>{t('audit.heading')}</h2>
        <p
          className={page.chain.firstBad === null ? 'note' : 'note note--bad'}
          data-testid="audit-chain"
          data-intact={page.chain.firstBad === null ? 'true' : 'false'}
        >
          {page.chain.firstBad === null
            ? t('audit.verified', { n: page.chain.entries })
            : t('audit.broken', { id: page.chain.firstBad })}
        </p>
        <table className="table" data-testid="audit-table">
          <thead>
            <tr>
              <th>#</th>
              <th>{t('audit.time')}</th>
              <th>{t('audit.who')}</th>
              <th>{t('audit.what')}</th>
              <th>{t('audit.details')}</th>
            </tr>
          </thead>
          <tbody>
            {page.entries.map((e) => (
              <tr key={e.id} data-kind={e.kind}>
                <td className="num">{e.id}</td>
                <td>{formatVnDateTime(e.atMs)}</td>
                <td>{e.userName ?? '—'}</td>
                <td>
                  <code>{e.kind}</code>
                </td>
                <td className="small audit__details">
                  <code>{JSON.stringify(e.details)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {last && last.id > 1 ? (
          <button type="button" className="mini" onClick={() => void load(last.id)}>
            {t('audit.more')}
          </button>
        ) : null}
      </section>
    </main>
  );
}
