// The column beside the verdict: shift counts, the last few verdicts, and in demo mode the sample
// permits a newcomer can "scan" with one press.
import { useTranslation } from 'react-i18next';
import type { DemoSample, KioskStatus, Verdict } from '../../../src/contract/api.js';
import { formatVnTime } from '../format.js';
import { verdictKey } from '../state.js';
import { DecisionIcon, RepeatIcon } from './Icons.js';

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
            className={`recent__item recent__item--${v.decision.toLowerCase()}`}
            data-decision={v.decision}
          >
            <span className="recent__chip">
              {v.duplicate ? (
                <RepeatIcon size="1.1em" />
              ) : (
                <DecisionIcon decision={v.decision} size="1.1em" />
              )}
            </span>
            <span className="recent__time">{formatVnTime(v.at, false)}</span>
            <span className="recent__who">
              {v.permit?.nam ?? v.person?.name ?? v.preview ?? t('noPermit')}
            </span>
            <span className="recent__word">{v.duplicate ? t('again') : t(`decision.${v.decision}`)}</span>
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
