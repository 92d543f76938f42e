// Health certificates (HC1) on the verdict screen. A certificate is never a passage (spec/policy.md
// "What is counted"): its panel is its own, neutral (never a green "CHO QUA" a guard could take for a
// permit), says whether the certificate is valid, and either asks for the permit or names the permit it
// was shown beside and whether it is the same person. With a permit verdict, one line says whether the
// proof scanned before it counts for this holder (src/lane/health-pairing.ts).
import { useTranslation } from 'react-i18next';
import type { DccView, Verdict } from '../../../src/contract/api.js';
import type { ReasonCode } from '../../../src/contract/reasons.js';
import { proofCounts } from '../guard/sounds.js';
import { CheckIcon, CrossIcon, DecisionIcon, ProofIcon } from './Icons.js';
import { holderName, PanelShell } from './VerdictParts.js';

const TEXT = {
  vi: {
    title: 'GIẤY Y TẾ',
    valid: 'HỢP LỆ',
    invalid: 'KHÔNG HỢP LỆ',
    next: 'Quét tiếp giấy đi đường của người này',
    notPassage: 'Không phải lượt qua: không tính',
    beside: 'Đưa kèm giấy đi đường của',
    same: 'Cùng người',
    other: 'KHÁC NGƯỜI — tên hoặc ngày sinh không khớp',
    unknown: 'Không đối chiếu được với giấy đi đường',
    unreadable: 'Không đọc được giấy y tế',
    line: 'Giấy y tế',
    counts: 'Hợp lệ, đúng người',
    otherPerson: 'Tên hoặc ngày sinh không khớp giấy đi đường',
    notCounted: 'Không hợp lệ',
    type: 'Loại',
    country: 'Nước cấp',
    dob: 'Ngày sinh',
    types: { test: 'Xét nghiệm âm tính', vaccination: 'Tiêm chủng', recovery: 'Đã khỏi bệnh' },
    reasons: {
      EXPIRED: 'Giấy y tế đã hết hạn',
      UNKNOWN_ISSUER: 'Nơi cấp giấy y tế không có trong danh sách tin cậy',
      HEALTH_PROOF_INVALID: 'Không đạt quy định y tế của chốt',
    } as Partial<Record<ReasonCode, string>>,
  },
  en: {
    title: 'HEALTH PROOF',
    valid: 'VALID',
    invalid: 'NOT VALID',
    next: "Now scan this person's travel permit",
    notPassage: 'Not a passage: not counted',
    beside: 'Shown with the travel permit of',
    same: 'Same person',
    other: 'ANOTHER PERSON — name or birth date differs',
    unknown: 'Could not be matched with the permit',
    unreadable: 'Health certificate unreadable',
    line: 'Health proof',
    counts: 'Valid, same person',
    otherPerson: 'Name or birth date differs from the permit',
    notCounted: 'Not valid',
    type: 'Type',
    country: 'Issued in',
    dob: 'Born',
    types: { test: 'Negative test', vaccination: 'Vaccination', recovery: 'Recovery' },
    reasons: {
      EXPIRED: 'Health certificate expired',
      UNKNOWN_ISSUER: 'Certificate signer not in the trust list',
      HEALTH_PROOF_INVALID: "Does not meet the checkpoint's health rule",
    } as Partial<Record<ReasonCode, string>>,
  },
};

function useHealthText() {
  const { t, i18n } = useTranslation();
  return { h: TEXT[i18n.language === 'en' ? 'en' : 'vi'], t };
}

/** The reason as a health certificate's: "expired" is the certificate's, not a permit's. */
function useProofReason(): (code: ReasonCode) => string {
  const { h, t } = useHealthText();
  return (code) => h.reasons[code] ?? t(`reason.${code}`);
}

const dateOf = (d: string): string => (/^\d{4}-\d{2}-\d{2}$/.test(d) ? d.split('-').reverse().join('/') : d);

/** The whole panel of a `health-proof` verdict. */
export function ProofPanel({ verdict }: { verdict: Verdict }) {
  const { h } = useHealthText();
  const reason = useProofReason();
  const valid = verdict.decision === 'ALLOW' && (verdict.health?.reasons.length ?? 0) === 0;
  const counts = proofCounts(verdict);
  return (
    <PanelShell verdict={verdict} className={`verdict--proof verdict--proof-${counts ? 'ok' : 'bad'}`}>
      <div className="verdict__head" data-testid="proof-head">
        <ProofIcon className="verdict__icon" />
        <div>
          <h1 className="verdict__word verdict__word--kind">{h.title}</h1>
          <p className="kind-line">
            <span
              className={`proof-chip proof-chip--${valid ? 'valid' : 'invalid'}`}
              data-testid="proof-status"
              data-valid={valid ? 'true' : 'false'}
            >
              {valid ? <CheckIcon size="1.1em" /> : <CrossIcon size="1.1em" />} {valid ? h.valid : h.invalid}
            </span>
            <span className="kind-line__muted">{h.notPassage}</span>
          </p>
        </div>
      </div>
      <div className="verdict__body">
        {verdict.dcc ? (
          <h2 className="holder" data-testid="holder-name">
            {holderName(verdict.dcc)}
          </h2>
        ) : (
          <h2 className="holder holder--none" data-testid="holder-name">
            {h.unreadable}
          </h2>
        )}
        <ul className="reasons" data-testid="reasons">
          {verdict.reasons.map((code) => (
            <li key={code} data-reason={code}>
              {reason(code)}
            </li>
          ))}
        </ul>
        <Beside verdict={verdict} />
        {verdict.dcc ? <ProofDetails dcc={verdict.dcc} /> : null}
      </div>
    </PanelShell>
  );
}

/** Whose permit the proof was shown beside, and whether it is the same person; or: scan the permit. */
function Beside({ verdict }: { verdict: Verdict }) {
  const { h } = useHealthText();
  if (!verdict.permit) {
    return (
      <p className="proof-next" data-testid="proof-next">
        {h.next}
      </p>
    );
  }
  const match = verdict.health?.nameMatch ?? null;
  return (
    <div
      className="proof-beside"
      data-testid="proof-beside"
      data-match={match === null ? 'unknown' : String(match)}
    >
      <span className="proof-beside__label">{h.beside}</span>{' '}
      <strong className="proof-beside__name">{verdict.permit.nam}</strong>
      <span className={`proof-chip proof-chip--${match === true ? 'valid' : 'invalid'}`}>
        {match === true ? <CheckIcon size="1.1em" /> : <CrossIcon size="1.1em" />}{' '}
        {match === true ? h.same : match === false ? h.other : h.unknown}
      </span>
    </div>
  );
}

export function ProofDetails({ dcc }: { dcc: DccView }) {
  const { h } = useHealthText();
  const rows: [string, string, string][] = [
    ['type', h.type, h.types[dcc.type]],
    ['country', h.country, dcc.country],
    ['dob', h.dob, dateOf(dcc.dob)],
  ];
  return (
    <dl className="details">
      {rows.map(([key, label, value]) => (
        <div key={key} className="details__row" data-testid={`dcc-${key}`}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** With a permit: does the proof scanned with it count for this holder? */
export function HealthLine({ verdict }: { verdict: Verdict }) {
  const { h } = useHealthText();
  const reason = useProofReason();
  const health = verdict.health;
  if (!health || !verdict.permit) return null;
  const counts = health.reasons.length === 0 && health.nameMatch === true;
  const status = counts
    ? h.counts
    : health.reasons.length > 0
      ? `${h.notCounted}: ${health.reasons.map(reason).join(', ')}`
      : h.otherPerson;
  const kind = verdict.dcc ? `${h.types[verdict.dcc.type]} · ${holderName(verdict.dcc)}` : h.unreadable;
  return (
    <div data-testid="health-line" data-counts={counts ? 'true' : 'false'} className="health-line">
      <p className={`earlier earlier--${counts ? 'allow' : 'deny'}`}>
        {h.line}: {kind}
        <span className="earlier__chip">
          <DecisionIcon decision={counts ? 'ALLOW' : 'DENY'} size="1.1em" /> {status}
        </span>
      </p>
    </div>
  );
}
