// Shifts: the list (newest first, signed or not), and one shift: who, when, handover notes, counts,
// flow by hour, its passages, the seal, and the supervisor's sign-off and exports.
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { KioskClient } from '../../../src/contract/api.js';
import type { AuditPassage, FlowHour, ShiftView } from '../../../src/contract/api-audit.js';
import { formatVnDateTime } from '../format.js';
import { FlowChart } from './FlowChart.js';
import { PassageDetail, PassageTable, usePassages } from './Passages.js';
import { useSupText } from './texts.js';
import { messageOf, saveFile } from './util.js';

type Fail = (err: unknown) => void;

function Counts({ s }: { s: ShiftView }) {
  const { t } = useSupText();
  const c = s.counts;
  return (
    <span className="counts">
      <span className="pill pill--allow">
        {t.allowed} {c.allowed}
      </span>
      <span className="pill pill--deny">
        {t.denied} {c.denied}
      </span>
      <span className="pill pill--review">
        {t.review} {c.review}
      </span>
      {c.overridden > 0 ? (
        <span className="pill pill--override">
          {t.overridden} {c.overridden}
        </span>
      ) : null}
    </span>
  );
}

export function ShiftsView({ client, onError }: { client: KioskClient; onError: Fail }) {
  const { t, lang } = useSupText();
  const [shifts, setShifts] = useState<ShiftView[] | null>(null);
  const [more, setMore] = useState(false);
  const [openId, setOpenId] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(
    (before?: number) => {
      client
        .call('shift.list', { limit: 30, ...(before ? { before } : {}) })
        .then((r) => {
          setShifts((s) => (before && s ? [...s, ...r.shifts] : r.shifts));
          setMore(r.more);
        })
        .catch((err: unknown) => {
          onError(err);
          setError(messageOf(err, lang));
        });
    },
    [client, onError, lang],
  );
  useEffect(() => load(), [load]);

  if (openId !== null) {
    return (
      <ShiftDetail
        client={client}
        id={openId}
        onBack={() => {
          setOpenId(null);
          load();
        }}
        onError={onError}
      />
    );
  }
  return (
    <section className="view" data-testid="shifts-view">
      {error ? <p className="sup-error">{error}</p> : null}
      {shifts === null ? <p>{t.loading}</p> : null}
      {shifts && shifts.length === 0 ? <p>{t.none}</p> : null}
      {shifts && shifts.length > 0 ? (
        <table className="table" data-testid="shift-list">
          <thead>
            <tr>
              <th>{t.shiftNo}</th>
              <th>{t.guard}</th>
              <th>{t.lane}</th>
              <th>{t.opened}</th>
              <th>{t.closed}</th>
              <th>{t.counts}</th>
              <th>{t.signed}</th>
            </tr>
          </thead>
          <tbody>
            {shifts.map((s) => (
              <tr
                key={s.id}
                data-testid="shift-row"
                data-id={s.id}
                tabIndex={0}
                onClick={() => setOpenId(s.id)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') setOpenId(s.id);
                }}
              >
                <td>#{s.id}</td>
                <td>{s.guard}</td>
                <td>{s.lane}</td>
                <td className="nowrap">{formatVnDateTime(s.openedAt)}</td>
                <td className="nowrap">
                  {s.closedAt ? formatVnDateTime(s.closedAt) : <strong>{t.stillOpen}</strong>}
                </td>
                <td>
                  <Counts s={s} />
                </td>
                <td>
                  {s.signedAt ? (
                    <span className="pill pill--allow">✓ {s.signedBy}</span>
                  ) : (
                    <span className="pill">{t.notSigned}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {more && shifts ? (
        <button type="button" className="btn" onClick={() => load(shifts.at(-1)?.id)}>
          {t.more}
        </button>
      ) : null}
    </section>
  );
}

function ShiftDetail({
  client,
  id,
  onBack,
  onError,
}: {
  client: KioskClient;
  id: number;
  onBack: () => void;
  onError: Fail;
}) {
  const { t, lang } = useSupText();
  const [shift, setShift] = useState<ShiftView | null>(null);
  const [flow, setFlow] = useState<FlowHour[]>([]);
  const [signing, setSigning] = useState(false);
  const [note, setNote] = useState('');
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [open, setOpen] = useState<AuditPassage | null>(null);
  const filters = useMemo(() => ({ shiftId: id }), [id]);
  const page = usePassages(client, filters, onError);

  const fail = useCallback(
    (err: unknown) => {
      onError(err);
      setMessage({ kind: 'error', text: messageOf(err, lang) });
    },
    [onError, lang],
  );

  useEffect(() => {
    client.call('shift.get', { id }).then(setShift).catch(fail);
    client.call('audit.flow', { shiftId: id }).then(setFlow).catch(fail);
  }, [client, id, fail]);

  const signoff = async () => {
    setMessage(null);
    try {
      setShift(await client.call('shift.signoff', { id, note }));
      setSigning(false);
    } catch (err) {
      fail(err);
    }
  };
  const pdf = async () => {
    try {
      saveFile(await client.call('export.shiftReport', { shiftId: id }));
    } catch (err) {
      fail(err);
    }
  };
  const csv = async () => {
    try {
      saveFile(await client.call('export.csv', { shiftId: id, lang }));
    } catch (err) {
      fail(err);
    }
  };

  return (
    <section className="view" data-testid="shift-detail">
      <button type="button" className="btn btn--link" onClick={onBack} data-testid="back-to-shifts">
        {t.backToShifts}
      </button>
      {shift ? (
        <>
          <header className="shift-head">
            <h2>
              {t.shiftNo} #{shift.id} · {shift.guard}
            </h2>
            <div className="shift-head__actions">
              <button type="button" className="btn" data-testid="export-pdf" onClick={() => void pdf()}>
                {t.exportPdf}
              </button>
              <button type="button" className="btn" data-testid="export-shift-csv" onClick={() => void csv()}>
                {t.exportCsv}
              </button>
              {!shift.signedAt && shift.closedAt ? (
                <button
                  type="button"
                  className="btn btn--primary"
                  data-testid="signoff"
                  onClick={() => setSigning(true)}
                >
                  {t.signoff}
                </button>
              ) : null}
            </div>
          </header>
          {message ? (
            <p
              className={message.kind === 'error' ? 'sup-error' : 'sup-ok'}
              role="alert"
              data-testid="shift-message"
            >
              {message.text}
            </p>
          ) : null}
          <dl className="kv kv--two">
            <div className="kv__row">
              <dt>{t.lane}</dt>
              <dd>{shift.lane}</dd>
            </div>
            <div className="kv__row">
              <dt>{t.opened}</dt>
              <dd>{formatVnDateTime(shift.openedAt)}</dd>
            </div>
            <div className="kv__row">
              <dt>{t.closed}</dt>
              <dd>
                {shift.closedAt
                  ? `${formatVnDateTime(shift.closedAt)} (${shift.closedBy ?? ''})`
                  : t.cannotSignOpen}
              </dd>
            </div>
            <div className="kv__row">
              <dt>{t.signed}</dt>
              <dd data-testid="signed-state">
                {shift.signedAt
                  ? t.signedBy(shift.signedBy ?? '', formatVnDateTime(shift.signedAt))
                  : t.notSigned}
                {shift.signoffNote ? ` — “${shift.signoffNote}”` : ''}
              </dd>
            </div>
            <div className="kv__row kv__row--wide">
              <dt>{t.handoverNotes}</dt>
              <dd>{shift.handoverNotes || t.noNotes}</dd>
            </div>
            <div className="kv__row kv__row--wide">
              <dt>{t.sealed}</dt>
              <dd className="mono small">{shift.closeHash ?? '—'}</dd>
            </div>
          </dl>
          <Counts s={shift} />
          <FlowChart hours={flow} height={200} />
          <h3>{t.shiftPassages}</h3>
          <PassageTable page={page} onOpen={setOpen} />
          {open ? <PassageDetail p={open} onClose={() => setOpen(null)} /> : null}
          {signing ? (
            <div className="dialog" role="dialog" aria-modal="true" aria-labelledby="signoff-title">
              <div className="dialog__box">
                <h2 id="signoff-title">
                  {t.signoff} #{shift.id}
                </h2>
                <p className="muted">{t.signoffHint}</p>
                <label className="field">
                  <span>{t.signoffNote}</span>
                  <textarea
                    data-testid="signoff-note"
                    rows={3}
                    maxLength={1000}
                    value={note}
                    onChange={(e) => setNote(e.target.value)}
                  />
                </label>
                {message?.kind === 'error' ? <p className="sup-error">{message.text}</p> : null}
                <div className="dialog__actions">
                  <button type="button" className="btn" onClick={() => setSigning(false)}>
                    {t.close}
                  </button>
                  <button
                    type="button"
                    className="btn btn--primary"
                    data-testid="signoff-confirm"
                    onClick={() => void signoff()}
                  >
                    {t.signoffConfirm}
                  </button>
                </div>
              </div>
            </div>
          ) : null}
        </>
      ) : (
        <p>{message?.text ?? t.loading}</p>
      )}
    </section>
  );
}
