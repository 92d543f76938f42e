// Scans that became no passage although a permit may have been read: the log refused the write
// (`not-recorded`), or nobody was on duty (`no-shift`). Neither may ever look like a verdict: no
// decision colour, no decision icon, and never the ALLOW words, whatever the permit check found.
import { useTranslation } from 'react-i18next';
import type { Verdict } from '../../../src/contract/api.js';
import { GuardIcon, PaperLogIcon } from './Icons.js';
import { PanelShell, PermitDetails, whoOf } from './VerdictParts.js';

/** What the guard copies onto the paper log, beside the name. */
const PAPER_LOG_ROWS = ['id', 'purpose', 'vehicle', 'validity'] as const;

/** The log refused the passage: write it on the paper log; the check's result below, muted. */
export function NotRecordedPanel({ verdict }: { verdict: Verdict }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language === 'en' ? 'en' : 'vi';
  const reasons = verdict.reasons.filter((r) => r !== 'DUPLICATE_SCAN');
  return (
    <PanelShell verdict={verdict} className="verdict--fault">
      <div className="verdict__head">
        <PaperLogIcon className="verdict__icon" />
        <div>
          <h1 className="verdict__word verdict__word--kind">{t('scanKind.notRecorded')}</h1>
          <p className="verdict__do">{t('scanKind.notRecordedDo')}</p>
        </div>
      </div>
      <p className="fault-line" data-testid="fault" data-code={verdict.fault?.code ?? ''}>
        {t('scanKind.fault')}: {verdict.fault ? verdict.fault[lang] : '—'}
      </p>
      <div className="checked" data-testid="checked">
        <div className="checked__label">{t('scanKind.checked')}</div>
        <h2 className="checked__who" data-testid="holder-name">
          {whoOf(verdict, t('noPermit'))}
        </h2>
        <p className="checked__word" data-testid="checked-word">
          {t(`scanKind.checkedWord.${verdict.decision}`)}
          {reasons.length > 0 ? ':' : ''}
        </p>
        <ul className="checked__reasons" data-testid="reasons">
          {reasons.map((code) => (
            <li key={code} data-reason={code}>
              {t(`reason.${code}`)}
            </li>
          ))}
        </ul>
        {verdict.permit ? <PermitDetails permit={verdict.permit} only={PAPER_LOG_ROWS} /> : null}
      </div>
    </PanelShell>
  );
}

/** Nobody is on duty: nothing was recorded; a guard logs in, opens a shift and scans again. */
export function NoShiftPanel({ verdict }: { verdict: Verdict }) {
  const { t } = useTranslation();
  return (
    <PanelShell verdict={verdict} className="verdict--noshift">
      <div className="verdict__head">
        <GuardIcon className="verdict__icon" />
        <h1 className="verdict__word verdict__word--kind">{t('scanKind.noShift')}</h1>
      </div>
      <div className="verdict__body">
        <p className="kind-say" data-testid="no-shift-line">
          {t('scanKind.noShiftNotRecorded')}
        </p>
        <p className="kind-say kind-say--do">{t('scanKind.noShiftDo')}</p>
        <h2 className="holder holder--muted" data-testid="holder-name">
          {whoOf(verdict, t('noPermit'))}
        </h2>
      </div>
    </PanelShell>
  );
}
