// The verdict, filling most of the screen: colour + icon + words, then who and why. A duplicate scan
// is shown as "already scanned" in a neutral panel so it is never taken for a fresh verdict.
import { useTranslation } from 'react-i18next';
import type { PermitView, Verdict } from '../../../src/contract/api.js';
import { formatVnDateTime, formatVnTime } from '../format.js';
import { LaneDetails, ManualHolder, OverrideFooter } from '../guard/VerdictLane.js';
import {
  HealthLine,
  holderOf,
  isProofOnly,
  ProofDetails,
  ProofHead,
  ProofHolder,
  useProofReason,
} from './HealthProof.js';
import { DecisionIcon, RepeatIcon, ScanIcon } from './Icons.js';

interface Props {
  verdict: Verdict | null;
  fresh: boolean;
  /** Opens the override dialog for a DENY or REVIEW (the guard's lane). */
  onOverride?: ((v: Verdict) => void) | undefined;
}

export function VerdictPanel({ verdict, fresh, onOverride }: Props) {
  if (!verdict || !fresh) return <IdlePanel last={verdict} />;
  const decision = verdict.decision;
  // A health certificate alone is not a passage: neutral like a duplicate, never a green "CHO QUA".
  const proofOnly = isProofOnly(verdict);
  return (
    <section
      data-testid="verdict"
      data-decision={decision}
      data-duplicate={verdict.duplicate ? 'true' : 'false'}
      data-passage={verdict.passageId ?? ''}
      data-state={proofOnly ? 'health-proof' : verdict.duplicate ? 'duplicate' : 'fresh'}
      className={`verdict verdict--${decision.toLowerCase()}${verdict.duplicate || proofOnly ? ' verdict--duplicate' : ''}`}
      role="status"
      aria-live="assertive"
    >
      {proofOnly ? (
        <ProofHead verdict={verdict} />
      ) : verdict.duplicate ? (
        <DuplicateHead verdict={verdict} />
      ) : (
        <FreshHead verdict={verdict} />
      )}
      <VerdictBody verdict={verdict} />
      <OverrideFooter verdict={verdict} onOverride={onOverride} />
    </section>
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

function VerdictBody({ verdict }: { verdict: Verdict }) {
  const { t } = useTranslation();
  // The duplicate marker is already the headline; list the reasons that decided the earlier verdict.
  const reasons = verdict.duplicate ? verdict.reasons.filter((r) => r !== 'DUPLICATE_SCAN') : verdict.reasons;
  const proofOnly = isProofOnly(verdict);
  const proofReason = useProofReason();
  return (
    <div className="verdict__body">
      {proofOnly ? (
        <ProofHolder verdict={verdict} />
      ) : verdict.person ? (
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
            {proofOnly ? proofReason(code) : t(`reason.${code}`)}
          </li>
        ))}
      </ul>
      <HealthLine verdict={verdict} />
      {verdict.permit ? <PermitDetails permit={verdict.permit} /> : null}
      {proofOnly && verdict.dcc ? <ProofDetails dcc={verdict.dcc} /> : null}
      <LaneDetails verdict={verdict} />
      {!verdict.permit && !verdict.dcc && verdict.preview ? (
        <p className="preview">
          {t('scannedText')}: <code>{verdict.preview}</code>
        </p>
      ) : null}
    </div>
  );
}

function PermitDetails({ permit }: { permit: PermitView }) {
  const { t } = useTranslation();
  const rows: [string, string, string][] = [
    ['id', t('id'), permit.idnMasked],
    ['purpose', t('purpose'), t(`purposes.${permit.pur}`, { defaultValue: permit.pur })],
    [
      'validity',
      t('validity'),
      `${formatVnDateTime(permit.validFrom)} – ${formatVnDateTime(permit.validTo)}`,
    ],
  ];
  if (permit.hours) rows.push(['hours', t('hours'), `${permit.hours[0]} – ${permit.hours[1]}`]);
  if (permit.veh) {
    rows.push([
      'vehicle',
      t('vehicle'),
      `${permit.veh.plate} · ${t(`vehicles.${permit.veh.type}`, { defaultValue: permit.veh.type })}`,
    ]);
  }
  rows.push(['issuer', t('issuer'), permit.issuerName ?? permit.iss]);
  rows.push(['areas', t('areas'), permit.areas.join(', ')]);
  if (permit.org) rows.push(['org', t('org'), permit.org]);
  return (
    <dl className="details">
      {rows.map(([key, label, value]) => (
        <div key={key} className="details__row" data-testid={`permit-${key}`}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function IdlePanel({ last }: { last: Verdict | null }) {
  const { t } = useTranslation();
  return (
    <section data-testid="verdict" data-decision="IDLE" data-state="idle" className="verdict verdict--idle">
      <div className="idle">
        <ScanIcon className="idle__icon" />
        <h1 className="idle__word">{t('ready')}</h1>
        <p className="idle__hint">{t('readyHint')}</p>
      </div>
      {last ? (
        <div
          className={`last last--${last.decision.toLowerCase()}`}
          data-testid="last-verdict"
          data-decision={last.decision}
        >
          <span className="last__label">{t('lastVerdict')}</span>
          <span className="last__chip">
            <DecisionIcon decision={last.decision} size="1.2em" /> {t(`decision.${last.decision}`)}
          </span>
          <span className="last__time">{formatVnTime(last.at)}</span>
          <span className="last__name">
            {last.permit?.nam ??
              last.person?.name ??
              (last.dcc ? holderOf(last.dcc) : null) ??
              last.preview ??
              t('noPermit')}
          </span>
        </div>
      ) : null}
    </section>
  );
}
