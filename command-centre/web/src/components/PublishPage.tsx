// Sign and publish a zone map, revocation list, trust list or checkpoint config. The browser sends only
// the payload; the server validates it with the kiosk's own schemas, signs it with the key it holds and
// publishes it. Below: what was published, and each kiosk's answer (applied or refused, and why).
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatVnDateTime } from '../../../../renderer/src/format.js';
import {
  type ApiErrorBody,
  DOCUMENT_KINDS,
  type PublishKind,
  type PublishResult,
  type Snapshot,
} from '../../../server/types.js';
import { post, useSession } from '../session.js';
import { Approvals } from './Approvals.js';

const TYP: Record<PublishKind, string> = {
  trust: 'vnp-trust+jws',
  revocations: 'vnp-revocations+jws',
  zones: 'vnp-zones+jws',
  config: 'vnp-config+jws',
};

function template(kind: PublishKind, version: number, nowMs: number): string {
  const issued = Math.floor(nowMs / 1000);
  const bodies: Record<PublishKind, object> = {
    zones: { version, issued, default: 'green', zones: { '01-009-00337': 'red', '01-004': 'yellow' } },
    revocations: { version, issued, mode: 'full', add: [], remove: [] },
    trust: {
      version,
      issued,
      issuers: [
        {
          kid: '<base64, 8 bytes>',
          iss: '01-009',
          name: 'Công an quận Thanh Xuân',
          key: '<base64 DER SPKI, P-256>',
          validFrom: issued,
          validTo: issued + 180 * 86_400,
          kinds: ['travel', 'goods'],
          areas: ['01-009'],
        },
      ],
      dcc: [],
    },
    config: { version, issued, checkpoint: '*', policy: { curfew: ['22:00', '05:00'] } },
  };
  return JSON.stringify(bodies[kind], null, 2);
}

type Answer = { published: PublishResult } | { pending: { id: number } };
type Outcome = { ok: true; result: Answer } | { ok: false; error: ApiErrorBody } | null;

export function PublishPage({ snapshot, nowMs }: { snapshot: Snapshot; nowMs: number }) {
  const { t, i18n } = useTranslation();
  const session = useSession();
  const [asked, setAsked] = useState(0);
  const lang = i18n.language === 'en' ? 'en' : 'vi';
  const nextVersion = (k: PublishKind) =>
    1 + Math.max(0, ...snapshot.published.filter((p) => p.typ === TYP[k]).map((p) => p.version));
  const [kind, setKind] = useState<PublishKind>('zones');
  const [text, setText] = useState(() => template('zones', nextVersion('zones'), nowMs));
  const [district, setDistrict] = useState('01-009');
  const [kiosk, setKiosk] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);

  const choose = (k: PublishKind) => {
    setKind(k);
    setText(template(k, nextVersion(k), nowMs));
    setOutcome(null);
  };

  const submit = async () => {
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      setOutcome({
        ok: false,
        error: { code: 'BAD_JSON', vi: t('publish.badJson'), en: t('publish.badJson') },
      });
      return;
    }
    setBusy(true);
    setOutcome(null);
    try {
      const r = await post<Answer>(
        './api/publish',
        {
          kind,
          payload,
          ...(kind === 'config' ? { district, ...(kiosk.trim() ? { kiosk: kiosk.trim() } : {}) } : {}),
        },
        session.csrfToken,
      );
      setOutcome(r.ok && r.result ? { ok: true, result: r.result } : { ok: false, error: r.error! });
      if (r.ok) setAsked((n) => n + 1);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      setOutcome({
        ok: false,
        error: { code: 'NETWORK', vi: `Lỗi mạng: ${msg}`, en: `Network error: ${msg}` },
      });
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="publish">
      <section className="panel">
        <h2>{t('publish.heading')}</h2>
        <p className={snapshot.keyId ? 'note' : 'note note--bad'} data-testid="key-note">
          {snapshot.keyId ? t('publish.keyNote', { kid: snapshot.keyId }) : t('publish.noKey')}
        </p>
        <div className="kinds" role="tablist">
          {DOCUMENT_KINDS.map((k) => (
            <button
              key={k}
              type="button"
              role="tab"
              aria-selected={kind === k}
              className={kind === k ? 'kind kind--on' : 'kind'}
              onClick={() => choose(k)}
              data-testid={`kind-${k}`}
            >
              {t(`publish.kinds.${k}`)}
            </button>
          ))}
        </div>
        <p className="hint">{t(`publish.hints.${kind}`)}</p>
        {kind === 'config' ? (
          <label className="field">
            <span>{t('publish.district')}</span>
            <input
              value={district}
              onChange={(e) => setDistrict(e.target.value)}
              data-testid="publish-district"
            />
          </label>
        ) : null}
        {kind === 'config' ? (
          <label className="field">
            <span>{t('publish.kiosk')}</span>
            <input
              value={kiosk}
              placeholder="L1"
              onChange={(e) => setKiosk(e.target.value)}
              data-testid="publish-kiosk"
            />
          </label>
        ) : null}
        <label className="field">
          <span>{t('publish.payload')}</span>
          <textarea
            value={text}
            onChange={(e) => setText(e.target.value)}
            rows={14}
            spellCheck={false}
            data-testid="publish-payload"
          />
        </label>
        <div className="actions">
          <button type="button" className="secondary" onClick={() => choose(kind)}>
            {t('publish.template')}
          </button>
          <button
            type="button"
            className="primary"
            disabled={busy || !snapshot.keyId}
            onClick={() => void submit()}
            data-testid="publish-submit"
          >
            {busy ? t('publish.sending') : t('publish.submit')}
          </button>
        </div>
        {outcome ? (
          outcome.ok ? (
            'pending' in outcome.result ? (
              <p className="result result--ok" role="status" data-testid="publish-pending">
                ⏳ {t('approvals.pendingNote', { id: outcome.result.pending.id })}
              </p>
            ) : (
              <p className="result result--ok" role="status" data-testid="publish-result">
                ✓ {t('publish.done', { ...outcome.result.published })} (
                {outcome.result.published.retained ? t('publish.retained') : t('publish.notRetained')})
                {outcome.result.published.full
                  ? ` · ${t('publish.folded', { ...outcome.result.published.full })}`
                  : ''}
              </p>
            )
          ) : (
            <p className="result result--bad" role="alert" data-testid="publish-error">
              ✗ [{outcome.error.code}] {outcome.error[lang]}
            </p>
          )
        ) : null}
      </section>

      <Approvals refresh={asked + snapshot.published.length} />

      <section className="panel">
        <h2>{t('publish.acks')}</h2>
        {snapshot.acks.length === 0 ? (
          <p className="empty">{t('publish.noAcks')}</p>
        ) : (
          <table className="acks" data-testid="acks">
            <thead>
              <tr>
                <th>{t('checkpoint')}</th>
                <th>{t('publish.type')}</th>
                <th className="num">{t('publish.version')}</th>
                <th>{t('state')}</th>
                <th>{t('publish.error')}</th>
                <th>{t('publish.time')}</th>
              </tr>
            </thead>
            <tbody>
              {snapshot.acks.map((a) => (
                <tr
                  key={`${a.district}/${a.checkpoint}/${a.kiosk}/${a.typ}/${a.version}`}
                  data-applied={a.applied}
                >
                  <td>
                    {a.checkpoint} · {a.kiosk} <span className="muted">{a.district}</span>
                  </td>
                  <td>{a.typ}</td>
                  <td className="num">{a.version}</td>
                  <td className={a.applied ? 'good' : 'bad'}>
                    {a.applied ? `✓ ${t('publish.applied')}` : `✗ ${t('publish.refused')}`}
                  </td>
                  <td>{a.error ?? ''}</td>
                  <td>{formatVnDateTime(a.receivedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <h2>{t('publish.published')}</h2>
        <table className="acks" data-testid="published">
          <thead>
            <tr>
              <th>{t('publish.type')}</th>
              <th className="num">{t('publish.version')}</th>
              <th>{t('publish.topic')}</th>
              <th>{t('publish.time')}</th>
            </tr>
          </thead>
          <tbody>
            {snapshot.published.map((p) => (
              <tr key={`${p.topic}/${p.version}/${p.at}`}>
                <td>{t(`publish.kinds.${p.kind}`)}</td>
                <td className="num">{p.version}</td>
                <td className="mono">{p.topic}</td>
                <td>{formatVnDateTime(p.at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </main>
  );
}
