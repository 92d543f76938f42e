// Trust lists and revocation changes waiting for a second publisher: the document to read, who asked,
// and approve (sign and publish) or reject. The one who asked cannot approve (the server refuses too).
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatVnDateTime } from '../../../../renderer/src/format.js';
import { type ApiErrorBody, post, useSession } from '../session.js';

interface Approval {
  id: number;
  kind: string;
  state: 'pending' | 'published' | 'rejected' | 'failed';
  requestedBy: string;
  requestedAt: string;
  decidedBy: string | null;
  request: { payload?: unknown };
}

export function Approvals({ refresh }: { refresh: number }) {
  const { t, i18n } = useTranslation();
  const session = useSession();
  const [list, setList] = useState<Approval[]>([]);
  const [error, setError] = useState<ApiErrorBody | null>(null);
  const load = useCallback(async () => {
    const res = await fetch('./api/approvals');
    if (res.ok) setList((await res.json()) as Approval[]);
  }, []);
  useEffect(() => {
    void refresh;
    void load();
  }, [load, refresh]);
  const decide = async (id: number, approve: boolean) => {
    setError(null);
    const r = await post('./api/approvals/decide', { id, approve }, session.csrfToken);
    if (!r.ok && r.error) setError(r.error);
    await load();
  };
  const pending = list.filter((a) => a.state === 'pending');
  return (
    <section className="panel" data-testid="approvals">
      <h2>{t('approvals.heading')}</h2>
      {error ? (
        <p className="note note--bad" role="alert" data-testid="approval-error">
          {i18n.language === 'en' ? error.en : error.vi}
        </p>
      ) : null}
      {pending.length === 0 ? <p className="empty">{t('approvals.none')}</p> : null}
      {pending.map((a) => (
        <div key={a.id} className="approval" data-testid={`approval-${a.id}`}>
          <p>
            <strong>
              #{a.id} {t(`publish.kinds.${a.kind}`)}
            </strong>{' '}
            · {t('approvals.by')}: {a.requestedBy} · {formatVnDateTime(a.requestedAt)}
          </p>
          <pre className="approval__doc">{JSON.stringify(a.request.payload, null, 1).slice(0, 4000)}</pre>
          <button
            type="button"
            className="primary"
            disabled={a.requestedBy === session.user.displayName}
            onClick={() => void decide(a.id, true)}
            data-testid="approve"
          >
            {t('approvals.approve')}
          </button>{' '}
          <button
            type="button"
            className="mini"
            onClick={() => void decide(a.id, false)}
            data-testid="reject"
          >
            {t('approvals.reject')}
          </button>
        </div>
      ))}
    </section>
  );
}
