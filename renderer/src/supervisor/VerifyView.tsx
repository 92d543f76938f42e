// "Verify log": the kiosk recomputes the whole hash chain and names the first broken row.
import { useState } from 'react';
import type { KioskClient } from '../../../src/contract/api.js';
import type { AuditPassage, VerifyResult } from '../../../src/contract/api-audit.js';
import { CHAIN_PROBLEM_TEXT, label, TABLE_TEXT } from '../../../src/contract/audit-words.js';
import { PassageDetail } from './Passages.js';
import { useSupText } from './texts.js';
import { messageOf } from './util.js';

export function VerifyView({ client, onError }: { client: KioskClient; onError: (err: unknown) => void }) {
  const { t, lang } = useSupText();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<VerifyResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<AuditPassage | null>(null);

  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      // A long log is checked in the background: each call waits a while and reports how far it got.
      let r = await client.call('audit.verify', {});
      setResult(r);
      while (!r.done) {
        r = await client.call('audit.verify', {});
        setResult(r);
      }
    } catch (err) {
      onError(err);
      setError(messageOf(err, lang));
    } finally {
      setBusy(false);
    }
  };
  const b = result?.broken ?? null;
  return (
    <section className="view" data-testid="verify-view">
      <h2>{t.verifyTitle}</h2>
      <p className="muted">{t.verifyHint}</p>
      <button
        type="button"
        className="btn btn--primary btn--big"
        data-testid="verify-run"
        disabled={busy}
        onClick={() => void run()}
      >
        {busy ? t.verifying : t.verifyRun}
      </button>
      {error ? <p className="sup-error">{error}</p> : null}
      {result ? (
        <div
          className={`verdict-box ${!result.done ? '' : result.ok ? 'verdict-box--ok' : 'verdict-box--bad'}`}
          role="status"
          data-testid="verify-result"
          data-ok={result.done ? result.ok : 'running'}
        >
          <div className="verdict-box__title">
            {!result.done
              ? t.verifyProgress(result.checked)
              : result.ok
                ? t.verifyOk(result.checked, result.tookMs)
                : t.verifyBroken}
          </div>
          {b ? (
            <div data-testid="verify-broken">
              {t.brokenAt(TABLE_TEXT[b.table][lang], b.id, label(CHAIN_PROBLEM_TEXT, b.problem, lang))}
              {b.table === 'passages' ? (
                <button
                  type="button"
                  className="btn btn--link"
                  onClick={() =>
                    client
                      .call('audit.passage', { id: b.id })
                      .then(setOpen)
                      .catch((err: unknown) => setError(messageOf(err, lang)))
                  }
                >
                  {t.openRow}
                </button>
              ) : null}
            </div>
          ) : null}
          {result.head ? (
            <div className="muted small">
              {t.head} (seq {result.head.seq}): <span className="mono">{result.head.hash}</span>
            </div>
          ) : null}
        </div>
      ) : null}
      {open ? <PassageDetail p={open} onClose={() => setOpen(null)} /> : null}
    </section>
  );
}
