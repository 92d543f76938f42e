// What a guard sees after logging in: the previous shift's handover notes and the button that opens
// the shift; while another guard's shift is open, who must hand over first. Then, above the scan
// screen, a slim bar with the shift and the handover.
import { useEffect, useState } from 'react';
import type { KioskClient, KioskStatus } from '../../../src/contract/api.js';
import type { SessionView, ShiftView } from '../../../src/contract/api-audit.js';
import { formatVnDateTime, formatVnTime } from '../format.js';
import { NoShiftNotice } from './NoShiftNotice.js';
import { useLoginText } from './texts.js';

type Fail = (err: unknown) => void;

export function ShiftGate({
  client,
  session,
  status,
  onOpened,
  onLogout,
  onError,
}: {
  client: KioskClient;
  session: SessionView;
  status: KioskStatus | null;
  onOpened: () => void;
  onLogout: () => void;
  onError: Fail;
}) {
  const { t, lang } = useLoginText();
  const [previous, setPrevious] = useState<ShiftView | null>(null);
  const [error, setError] = useState<{ vi: string; en: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const other = session.shift && session.shift.userId !== session.user.id ? session.shift : null;

  useEffect(() => {
    client
      .call('shift.current', {})
      .then((r) => setPrevious(r.previous))
      .catch(onError);
  }, [client, onError]);

  const open = async () => {
    setBusy(true);
    try {
      await client.call('shift.open', {});
      onOpened();
    } catch (err) {
      const e = err as { vi?: string; en?: string };
      setError({ vi: e.vi ?? 'Lỗi', en: e.en ?? 'Error' });
      onError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="login" data-testid="shift-gate">
      <div className="login__card login__card--wide">
        <h1 className="login__title">
          {t.hello}, {session.user.displayName}
        </h1>
        <NoShiftNotice status={status} />
        {other ? (
          <p className="login__error" role="alert" data-testid="other-shift">
            {t.otherShift(other.guard)}
          </p>
        ) : (
          <>
            <section className="handover-notes" data-testid="previous-notes">
              <h2>{t.previousNotes}</h2>
              {previous ? (
                <>
                  <div className="handover-notes__by">
                    {t.previousBy}: {previous.guard}, {formatVnDateTime(previous.openedAt)}–
                    {previous.closedAt ? formatVnTime(previous.closedAt, false) : ''}
                  </div>
                  <p>{previous.handoverNotes || t.noNotes}</p>
                </>
              ) : (
                <p>{t.noNotes}</p>
              )}
            </section>
            <p className="login__hint">{t.openShiftHint}</p>
            {error ? (
              <div className="login__error" role="alert">
                {error[lang]}
              </div>
            ) : null}
            <button
              type="button"
              className="login__go"
              data-testid="open-shift"
              disabled={busy}
              onClick={() => void open()}
            >
              {t.openShift}
            </button>
          </>
        )}
        <button type="button" className="login__secondary" data-testid="logout" onClick={onLogout}>
          {t.logout}
        </button>
      </div>
    </div>
  );
}

export function GuardBar({
  client,
  session,
  onClosed,
  onLogout,
  onError,
}: {
  client: KioskClient;
  session: SessionView;
  onClosed: () => void;
  onLogout: () => void;
  onError: Fail;
}) {
  const { t } = useLoginText();
  const [handingOver, setHandingOver] = useState(false);
  const [notes, setNotes] = useState('');
  const [busy, setBusy] = useState(false);
  const shift = session.shift;

  const close = async () => {
    setBusy(true);
    try {
      await client.call('shift.close', { notes });
      onClosed();
    } catch (err) {
      onError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="guardbar" data-testid="guard-bar">
      <span className="guardbar__who">
        {t.shift} {shift?.id} · {session.user.displayName}
        {shift ? ` · ${t.since} ${formatVnTime(shift.openedAt, false)}` : ''}
      </span>
      <button
        type="button"
        className="guardbar__btn"
        data-testid="handover"
        onClick={() => setHandingOver(true)}
      >
        {t.handover}
      </button>
      <button type="button" className="guardbar__btn" data-testid="logout" onClick={onLogout}>
        {t.logout}
      </button>
      {handingOver ? (
        <div className="dialog" role="dialog" aria-modal="true" aria-labelledby="handover-title">
          <div className="dialog__box">
            <h2 id="handover-title">{t.handoverTitle}</h2>
            <p className="login__hint">{t.handoverHint}</p>
            <label className="login__label" htmlFor="handover-notes">
              {t.notes}
            </label>
            <textarea
              id="handover-notes"
              data-testid="handover-notes"
              className="dialog__notes"
              maxLength={2000}
              rows={5}
              value={notes}
              onChange={(e) => setNotes(e.target.value)}
            />
            <div className="dialog__actions">
              <button type="button" className="login__secondary" onClick={() => setHandingOver(false)}>
                {t.cancel}
              </button>
              <button
                type="button"
                className="login__go"
                data-testid="confirm-handover"
                disabled={busy}
                onClick={() => void close()}
              >
                {t.confirmHandover}
              </button>
            </div>
          </div>
        </div>
      ) : null}
    </div>
  );
}
