// The verdict, filling most of the screen: colour + icon + words, then who and why. One panel per
// kind of scan (contract/api.ts VerdictKind): a passage in its decision's colour; a duplicate as
// "already scanned" in a neutral panel so it is never taken for a fresh verdict; an unreadable scan in
// its decision's colour, saying it is not counted; a health proof, a scan with no shift open and a scan
// the log refused, each in a panel of its own that never looks like a decision.
import { useTranslation } from 'react-i18next';
import type { Verdict } from '../../../src/contract/api.js';
import { formatVnTime } from '../format.js';
import { LaneDetails, ManualHolder, OverrideFooter } from '../guard/VerdictLane.js';
import { HealthLine, ProofPanel } from './HealthProof.js';
import { DecisionIcon, GuardIcon, PaperLogIcon, ProofIcon, RepeatIcon, ScanIcon } from './Icons.js';
import { NoShiftPanel, NotRecordedPanel } from './UnrecordedPanels.js';
import './verdict-kinds.css';
import { PanelShell, PermitDetails, whoOf } from './VerdictParts.js';

interface Props {
  verdict: Verdict | null;
  fresh: boolean;
  /** Opens the override dialog for a DENY or REVIEW (the guard's lane). */
  onOverride?: ((v: Verdict) => void) | undefined;
}

export function VerdictPanel({ verdict, fresh, onOverride }: Props) {
  if (!verdict || !fresh) return <IdlePanel last={verdict} />;
  switch (verdict.kind) {
    case 'not-recorded':
      return <NotRecordedPanel verdict={verdict} />;
    case 'no-shift':
      return <NoShiftPanel verdict={verdict} />;
    case 'health-proof':
      return <ProofPanel verdict={verdict} />;
    case 'passage':
    case 'duplicate':
    case 'unreadable':
      return <DecisionPanel verdict={verdict} onOverride={onOverride} />;
  }
}

/** A passage, a duplicate (the earlier passage's decision) or an unreadable scan. */
function DecisionPanel({ verdict, onOverride }: { verdict: Verdict; onOverride: Props['onOverride'] }) {
  const decision = verdict.decision.toLowerCase();
  const duplicate = verdict.kind === 'duplicate' || verdict.duplicate;
  return (
    <PanelShell verdict={verdict} className={`verdict--${decision}${duplicate ? ' verdict--duplicate' : ''}`}>
      {duplicate ? <DuplicateHead verdict={verdict} /> : <FreshHead verdict={verdict} />}
      {verdict.kind === 'unreadable' ? <NotCounted /> : null}
      {verdict.amended ? <AmendedLine verdict={verdict} /> : null}
      <VerdictBody verdict={verdict} />
      {verdict.kind === 'unreadable' ? null : <OverrideFooter verdict={verdict} onOverride={onOverride} />}
    </PanelShell>
  );
}

function FreshHead({ verdict }: { verdict: Verdict }) {
  const { t } = useTranslation();
  return (
    <div className="verdict__head">
      <DecisionIcon decision={verdict.decision} className="verdict__icon" />
      <h1 className="verdict__word">{t(`decision.${verdict.decision}`)}</h1>
    </div>
  );
}

function DuplicateHead({ verdict }: { verdict: Verdict }) {
  const { t } = useTranslation();
  return (
    <div className="verdict__head verdict__head--duplicate">
      <RepeatIcon className="verdict__icon" />
      <div>
        <h1 className="verdict__word verdict__word--duplicate">{t('duplicate')}</h1>
        <p className={`earlier earlier--${verdict.decision.toLowerCase()}`}>
          {t('duplicateHint')}:{' '}
          <span className="earlier__chip">
            <DecisionIcon decision={verdict.decision} size="1.1em" /> {t(`decision.${verdict.decision}`)}
          </span>
        </p>
      </div>
    </div>
  );
}

/** An unreadable scan is shown with its decision but is no passage: the guard scans again. */
function NotCounted() {
  const { t } = useTranslation();
  return (
    <p className="not-counted" data-testid="not-counted">
      <RepeatIcon size="1.1em" /> {t('scanKind.notCounted')}
    </p>
  );
}

/** A health proof scanned after the permit completed this passage (e.g. CẦN KIỂM TRA → CHO QUA). */
function AmendedLine({ verdict }: { verdict: Verdict }) {
  const { t } = useTranslation();
  const from = verdict.amended?.from;
  if (!from) return null;
  return (
    <p className="amended" data-testid="amended" data-from={from}>
      <ProofIcon size="1.1em" />
      <span>
        {t('scanKind.amended')}: <span className="amended__from">{t(`decision.${from}`)}</span> →{' '}
        <strong>{t(`decision.${verdict.decision}`)}</strong>
      </span>
    </p>
  );
}

function VerdictBody({ verdict }: { verdict: Verdict }) {
  const { t } = useTranslation();
  // The duplicate marker is already the headline; list the reasons that decided the earlier verdict.
  const duplicate = verdict.kind === 'duplicate' || verdict.duplicate;
  const reasons = duplicate ? verdict.reasons.filter((r) => r !== 'DUPLICATE_SCAN') : verdict.reasons;
  return (
    <div className="verdict__body">
      {verdict.person ? (
        <ManualHolder verdict={verdict} />
      ) : verdict.permit ? (
        <h2 className="holder" data-testid="holder-name">
          {verdict.permit.nam}
        </h2>
      ) : (
        <h2 className="holder holder--none" data-testid="holder-name">
          {t('noPermit')}
        </h2>
      )}
      <ul className="reasons" data-testid="reasons">
        {reasons.map((code) => (
          <li key={code} data-reason={code}>
            {t(`reason.${code}`)}
          </li>
        ))}
      </ul>
      <HealthLine verdict={verdict} />
      {verdict.permit ? <PermitDetails permit={verdict.permit} /> : null}
      <LaneDetails verdict={verdict} />
      {!verdict.permit && !verdict.dcc && verdict.preview ? (
        <p className="preview">
          {t('scannedText')}: <code>{verdict.preview}</code>
        </p>
      ) : null}
    </div>
  );
}

/** The compact line for the last verdict once it faded: the kind's own word where it is no passage. */
function LastChip({ last }: { last: Verdict }) {
  const { t } = useTranslation();
  switch (last.kind) {
    case 'not-recorded':
      return (
        <>
          <PaperLogIcon size="1.2em" /> {t('scanKind.notRecorded')}
        </>
      );
    case 'no-shift':
      return (
        <>
          <GuardIcon size="1.2em" /> {t('scanKind.noShift')}
        </>
      );
    case 'health-proof':
      return (
        <>
          <ProofIcon size="1.2em" /> {t('scanKind.mark.health-proof')}
        </>
      );
    case 'duplicate':
      return (
        <>
          <RepeatIcon size="1.2em" /> {t('duplicate')}
        </>
      );
    case 'passage':
    case 'unreadable':
      return (
        <>
          <DecisionIcon decision={last.decision} size="1.2em" /> {t(`decision.${last.decision}`)}
          {last.kind === 'unreadable' ? ` · ${t('scanKind.mark.unreadable')}` : ''}
        </>
      );
  }
}

function IdlePanel({ last }: { last: Verdict | null }) {
  const { t } = useTranslation();
  // Only a passage or an unreadable scan shows its decision's colour on the compact line.
  const tone = last && (last.kind === 'passage' || last.kind === 'unreadable') ? last.decision : last?.kind;
  return (
    <section data-testid="verdict" data-decision="IDLE" data-state="idle" className="verdict verdict--idle">
      <div className="idle">
        <ScanIcon className="idle__icon" />
        <h1 className="idle__word">{t('ready')}</h1>
        <p className="idle__hint">{t('readyHint')}</p>
      </div>
      {last ? (
        <div
          className={`last last--${String(tone).toLowerCase()}`}
          data-testid="last-verdict"
          data-decision={last.decision}
          data-kind={last.kind}
        >
          <span className="last__label">{t('lastVerdict')}</span>
          <span className="last__chip">
            <LastChip last={last} />
          </span>
          <span className="last__time">{formatVnTime(last.at)}</span>
          <span className="last__name">{whoOf(last, t('noPermit'))}</span>
        </div>
      ) : null}
    </section>
  );
}
