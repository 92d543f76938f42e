// Search by plate, name, ID number, permit, time range, decision, reason; results in milliseconds,
// each row opening the full record; the same filters export to CSV.
import { type FormEvent, useState } from 'react';
import type { KioskClient } from '../../../src/contract/api.js';
import type { AuditPassage, SearchFilters } from '../../../src/contract/api-audit.js';
import { DECISION_TEXT, REASON_TEXT } from '../../../src/contract/reason-words.js';
import { REASON_CODES } from '../../../src/contract/reasons.js';
import { PassageDetail, PassageTable, usePassages } from './Passages.js';
import { useSupText } from './texts.js';
import { messageOf, parseVnDateTime, saveFile } from './util.js';

interface Form {
  plate: string;
  name: string;
  idn: string;
  permit: string;
  from: string;
  to: string;
  decision: string;
  reason: string;
  overridden: boolean;
}

const EMPTY: Form = {
  plate: '',
  name: '',
  idn: '',
  permit: '',
  from: '',
  to: '',
  decision: '',
  reason: '',
  overridden: false,
};

/** The filters of a form, or the bilingual complaint about a date that cannot be read. */
function toFilters(f: Form): SearchFilters | { bad: 'from' | 'to' } {
  const out: SearchFilters = {};
  if (f.plate.trim()) out.plate = f.plate.trim();
  if (f.name.trim()) out.name = f.name.trim();
  if (f.idn.trim()) out.idn = f.idn.replace(/\s/g, '');
  if (f.permit.trim()) out.permit = f.permit.trim();
  const from = parseVnDateTime(f.from);
  const to = parseVnDateTime(f.to);
  if (from === null) return { bad: 'from' };
  if (to === null) return { bad: 'to' };
  if (from) out.from = from;
  if (to) out.to = to;
  if (f.decision) out.decision = f.decision as SearchFilters['decision'];
  if (f.reason) out.reason = f.reason as SearchFilters['reason'];
  if (f.overridden) out.overridden = true;
  return out;
}

export function SearchView({ client, onError }: { client: KioskClient; onError: (err: unknown) => void }) {
  const { t, lang } = useSupText();
  const [form, setForm] = useState<Form>(EMPTY);
  const [filters, setFilters] = useState<SearchFilters | null>({});
  const [open, setOpen] = useState<AuditPassage | null>(null);
  const [exportError, setExportError] = useState<string | null>(null);
  const [badDate, setBadDate] = useState<'from' | 'to' | null>(null);
  const page = usePassages(client, filters, onError);

  const set = <K extends keyof Form>(k: K, v: Form[K]) => setForm((f) => ({ ...f, [k]: v }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const f = toFilters(form);
    if ('bad' in f) {
      setBadDate(f.bad);
      return;
    }
    setBadDate(null);
    setFilters(f);
  };
  const exportCsv = async () => {
    setExportError(null);
    try {
      saveFile(await client.call('export.csv', { ...(filters ?? {}), lang }));
    } catch (err) {
      onError(err);
      setExportError(messageOf(err, lang));
    }
  };
  const text = (
    k: 'plate' | 'name' | 'idn' | 'permit',
    labelText: string,
    extra: Record<string, string> = {},
  ) => (
    <label className="field">
      <span>{labelText}</span>
      <input
        data-testid={`search-${k}`}
        value={form[k]}
        onChange={(e) => set(k, e.target.value)}
        {...extra}
      />
    </label>
  );

  return (
    <section className="view" data-testid="search-view">
      <form className="search" onSubmit={submit}>
        {text('plate', t.plate, { placeholder: '29A-123.45', maxLength: '20' })}
        {text('name', t.name, { placeholder: 'nguyen van an', maxLength: '100' })}
        {text('idn', t.idn, { inputMode: 'numeric', maxLength: '14' })}
        {text('permit', t.permit, { maxLength: '256' })}
        {(['from', 'to'] as const).map((k) => (
          <label key={k} className={`field${badDate === k ? ' field--bad' : ''}`}>
            <span>{k === 'from' ? t.from : t.to}</span>
            <input
              data-testid={`search-${k}`}
              placeholder="dd/mm/yyyy HH:mm"
              inputMode="numeric"
              maxLength={16}
              value={form[k]}
              aria-invalid={badDate === k}
              onChange={(e) => set(k, e.target.value)}
            />
          </label>
        ))}
        <label className="field">
          <span>{t.decision}</span>
          <select
            data-testid="search-decision"
            value={form.decision}
            onChange={(e) => set('decision', e.target.value)}
          >
            <option value="">{t.any}</option>
            {(['ALLOW', 'DENY', 'REVIEW'] as const).map((d) => (
              <option key={d} value={d}>
                {DECISION_TEXT[d][lang]}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{t.reason}</span>
          <select
            data-testid="search-reason"
            value={form.reason}
            onChange={(e) => set('reason', e.target.value)}
          >
            <option value="">{t.any}</option>
            {REASON_CODES.map((r) => (
              <option key={r} value={r}>
                {REASON_TEXT[r][lang]}
              </option>
            ))}
          </select>
        </label>
        <label className="field field--check">
          <input
            type="checkbox"
            checked={form.overridden}
            onChange={(e) => set('overridden', e.target.checked)}
          />
          <span>{t.onlyOverridden}</span>
        </label>
        <div className="search__actions">
          <button type="submit" className="btn btn--primary" data-testid="search-submit">
            {t.search}
          </button>
          <button
            type="button"
            className="btn"
            onClick={() => {
              setForm(EMPTY);
              setFilters({});
            }}
          >
            {t.clear}
          </button>
          <button type="button" className="btn" data-testid="export-csv" onClick={() => void exportCsv()}>
            {t.exportCsv}
          </button>
        </div>
      </form>
      {exportError ? <p className="sup-error">{exportError}</p> : null}
      {badDate ? (
        <p className="sup-error" role="alert">
          {t.badDate}
        </p>
      ) : null}
      <PassageTable page={page} onOpen={setOpen} />
      {open ? <PassageDetail p={open} onClose={() => setOpen(null)} /> : null}
    </section>
  );
}
