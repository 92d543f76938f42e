// Every denial and every override, newest first: the supervisor reviews who let whom through and why.
import { useMemo, useState } from 'react';
import type { KioskClient } from '../../../src/contract/api.js';
import type { AuditPassage, SearchFilters } from '../../../src/contract/api-audit.js';
import { PassageDetail, PassageTable, usePassages } from './Passages.js';
import { useSupText } from './texts.js';

type Show = 'overridden' | 'denied' | 'review';

export function ReviewView({ client, onError }: { client: KioskClient; onError: (err: unknown) => void }) {
  const { t } = useSupText();
  const [show, setShow] = useState<Show>('overridden');
  const [open, setOpen] = useState<AuditPassage | null>(null);
  const filters = useMemo<SearchFilters>(
    () =>
      show === 'overridden' ? { overridden: true } : { decision: show === 'denied' ? 'DENY' : 'REVIEW' },
    [show],
  );
  const page = usePassages(client, filters, onError);
  const tab = (s: Show, label: string) => (
    <button
      type="button"
      role="tab"
      aria-selected={show === s}
      className={`segment${show === s ? ' segment--on' : ''}`}
      data-testid={`review-${s}`}
      onClick={() => setShow(s)}
    >
      {label}
    </button>
  );
  return (
    <section className="view" data-testid="review-view">
      <p className="muted">{t.reviewHint}</p>
      <div className="segments" role="tablist">
        {tab('overridden', t.showOverridden)}
        {tab('denied', t.showDenied)}
        {tab('review', t.showReview)}
      </div>
      <PassageTable page={page} onOpen={setOpen} />
      {open ? <PassageDetail p={open} onClose={() => setOpen(null)} /> : null}
    </section>
  );
}
