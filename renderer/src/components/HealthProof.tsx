// Health certificates (HC1) on the verdict screen. A certificate scanned on its own is not a passage:
// its panel is neutral (never a green "CHO QUA" a guard could take for a permit) and says to scan the
// permit. With a permit, one line says whether the proof counts for this holder (src/lane/health-pairing.ts).
import { useTranslation } from 'react-i18next';
import type { DccView, Verdict } from '../../../src/contract/api.js';
import type { ReasonCode } from '../../../src/contract/reasons.js';
import { DecisionIcon } from './Icons.js';

const TEXT = {
  vi: {
    title: 'GIẤY Y TẾ',
    valid: 'Hợp lệ',
    invalid: 'Không hợp lệ',
    next: 'Quét tiếp giấy đi đường của người này',
    unreadable: 'Không đọc được giấy y tế',
    line: 'Giấy y tế',
    counts: 'Hợp lệ, đúng người',
    otherPerson: 'Tên hoặc ngày sinh không khớp giấy đi đường',
    notCounted: 'Không hợp lệ',
    after: 'Quét sau khi đã ghi lượt này: chỉ để cán bộ tham khảo, không ghi vào sổ',
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
    valid: 'Valid',
    invalid: 'Not valid',
    next: "Now scan this person's travel permit",
    unreadable: 'Health certificate unreadable',
    line: 'Health proof',
    counts: 'Valid, same person',
    otherPerson: 'Name or birth date differs from the permit',
    notCounted: 'Not valid',
    after: 'Scanned after this passage was recorded: for the guard only, not logged',
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

/** A certificate scanned on its own, waiting for a permit: shown, not recorded. */
export function isProofOnly(v: Verdict): boolean {
  return Boolean(v.health) && !v.permit && v.passageId === null;
}

/** The reason as a health certificate's: "expired" is the certificate's, not a permit's. */
export function useProofReason(): (code: ReasonCode) => string {
  const { h, t } = useHealthText();
  return (code) => h.reasons[code] ?? t(`reason.${code}`);
}

/** The certificate holder's transliterated name, family name first. */
export const holderOf = (d: DccView): string => [d.fnt, d.gnt ?? ''].join(' ').replace(/</g, ' ').trim();
const dateOf = (d: string): string => (/^\d{4}-\d{2}-\d{2}$/.test(d) ? d.split('-').reverse().join('/') : d);

export function ProofHead({ verdict }: { verdict: Verdict }) {
  const { h } = useHealthText();
  const ok = verdict.decision === 'ALLOW';
  return (
    <div className="verdict__head verdict__head--duplicate" data-testid="proof-head">
      <DecisionIcon decision={ok ? 'ALLOW' : 'DENY'} className="verdict__icon" />
      <div>
        <h1 className="verdict__word verdict__word--duplicate">{h.title}</h1>
        <p className={`earlier earlier--${ok ? 'allow' : 'deny'}`}>
          <span className="earlier__chip" data-testid="proof-status">
            <DecisionIcon decision={ok ? 'ALLOW' : 'DENY'} size="1.1em" /> {ok ? h.valid : h.invalid}
          </span>
          {h.next}
        </p>
      </div>
    </div>
  );
}

export function ProofHolder({ verdict }: { verdict: Verdict }) {
  const { h } = useHealthText();
  return verdict.dcc ? (
    <h2 className="holder" data-testid="holder-name">
      {holderOf(verdict.dcc)}
    </h2>
  ) : (
    <h2 className="holder holder--none" data-testid="holder-name">
      {h.unreadable}
    </h2>
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

/** With a permit: does the paired proof count for this holder? */
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
  const kind = verdict.dcc ? `${h.types[verdict.dcc.type]} · ${holderOf(verdict.dcc)}` : h.unreadable;
  return (
    <div data-testid="health-line" data-counts={counts ? 'true' : 'false'} style={{ marginBottom: 12 }}>
      <p className={`earlier earlier--${counts ? 'allow' : 'deny'}`}>
        {h.line}: {kind}
        <span className="earlier__chip">
          <DecisionIcon decision={counts ? 'ALLOW' : 'DENY'} size="1.1em" /> {status}
        </span>
      </p>
      {health.recorded ? null : <p className="preview">{h.after}</p>}
    </div>
  );
}
