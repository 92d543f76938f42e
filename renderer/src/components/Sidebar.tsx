// Beside and beneath the verdict: shift counts, the last few verdicts (each scan that is no passage
// marked as such), and in demo mode the sample permits a newcomer can "scan" with one press.
import { useTranslation } from 'react-i18next';
import type { DemoSample, KioskStatus, Verdict } from '../../../src/contract/api.js';
import { formatVnTime } from '../format.js';
import { verdictKey } from '../state.js';
import { DecisionIcon, GuardIcon, PaperLogIcon, ProofIcon, RepeatIcon } from './Icons.js';
import { whoOf } from './VerdictParts.js';

export function Counts({ counts }: { counts: KioskStatus['counts'] | null }) {
  const { t } = useTranslation();
  const items = [
    ['ALLOW', 'allowed', counts?.allowed],
    ['DENY', 'denied', counts?.denied],
    ['REVIEW', 'review', counts?.review],
  ] as const;
  return (
    <section className="card counts" data-testid="counts">
      <h2 className="card__title">{t('counts')}</h2>
      <div className="counts__grid">
        {items.map(([decision, key, value]) => (
          <div key={key} className={`count count--${decision.toLowerCase()}`} data-testid={`count-${key}`}>
            <DecisionIcon decision={decision} size="1.4em" />
            <span className="count__value">{value ?? '–'}</span>
            <span className="count__label">{t(key)}</span>
          </div>
        ))}
      </div>
    </section>
  );
}

/** The colour a recent entry takes: its decision's for a scan judged as one, its own otherwise. */
function toneOf(v: Verdict): string {
  if (v.kind === 'health-proof') return 'proof';
  if (v.kind === 'no-shift') return 'noshift';
  if (v.kind === 'not-recorded') return 'fault';
  return v.decision.toLowerCase();
}

function RecentIcon({ v }: { v: Verdict }) {
  if (v.kind === 'duplicate' || v.duplicate) return <RepeatIcon size="1.1em" />;
  if (v.kind === 'health-proof') return <ProofIcon size="1.1em" />;
  if (v.kind === 'no-shift') return <GuardIcon size="1.1em" />;
  if (v.kind === 'not-recorded') return <PaperLogIcon size="1.1em" />;
  return <DecisionIcon decision={v.decision} size="1.1em" />;
}

/** What the entry says: the decision of a passage; the kind's own word for anything that is not one. */
function RecentWord({ v }: { v: Verdict }) {
  const { t } = useTranslation();
  if (v.kind === 'duplicate' || v.duplicate) return <>{t('again')}</>;
  if (v.kind === 'passage') return <>{t(`decision.${v.decision}`)}</>;
  const mark = <span className="recent__mark">{t(`scanKind.mark.${v.kind}`)}</span>;
  // An unreadable scan keeps its decision's word, marked as not counted.
  return v.kind === 'unreadable' ? (
    <>
      {t(`decision.${v.decision}`)} {mark}
    </>
  ) : (
    mark
  );
}

export function RecentList({ verdicts }: { verdicts: Verdict[] }) {
  const { t } = useTranslation();
  return (
    <section className="card recent">
      <h2 className="card__title">{t('recent')}</h2>
      {verdicts.length === 0 ? <p className="muted">{t('noRecent')}</p> : null}
      <ol className="recent__list" data-testid="recent">
        {verdicts.map((v) => (
          <li
            key={verdictKey(v)}
            className={`recent__item recent__item--${toneOf(v)}`}
            data-decision={v.decision}
            data-kind={v.kind}
          >
            <span className="recent__chip">
              <RecentIcon v={v} />
            </span>
            <span className="recent__who">{whoOf(v, t('noPermit'))}</span>
            <span className="recent__word">
              <RecentWord v={v} />
            </span>
            <span className="recent__time">{formatVnTime(v.at, false)}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}

export function DemoPanel({ samples, onScan }: { samples: DemoSample[]; onScan: (text: string) => void }) {
  const { t, i18n } = useTranslation();
  if (samples.length === 0) return null;
  return (
    <section className="card demo" data-testid="demo-panel">
      <h2 className="card__title">{t('demo')}</h2>
      <p className="muted demo__hint">{t('demoHint')}</p>
      <div className="demo__buttons">
        {samples.map((s) => (
          <button
            key={s.text}
            type="button"
            className="demo__btn"
            data-testid="demo-sample"
            onClick={() => onScan(s.text)}
          >
            {i18n.language === 'en' ? s.labelEn : s.label}
          </button>
        ))}
      </div>
    </section>
  );
}
