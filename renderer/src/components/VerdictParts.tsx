// Pieces every verdict panel shares: the panel itself, with the attributes tests and styles read, and
// the permit's detail rows.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { PermitView, Verdict } from '../../../src/contract/api.js';
import { formatVnDateTime } from '../format.js';

/**
 * The verdict panel: `data-state` is what the scan became (contract/api.ts VerdictKind), so a test
 * and a stylesheet never have to guess it from the decision.
 */
export function PanelShell({
  verdict,
  className,
  children,
}: {
  verdict: Verdict;
  className: string;
  children: ReactNode;
}) {
  return (
    <section
      data-testid="verdict"
      data-decision={verdict.decision}
      data-duplicate={verdict.duplicate ? 'true' : 'false'}
      data-passage={verdict.passageId ?? ''}
      data-state={verdict.kind}
      className={`verdict ${className}`}
      role="status"
      aria-live="assertive"
    >
      {children}
    </section>
  );
}

/** The permit's rows; `only` keeps those named (e.g. what the paper log needs). */
export function PermitDetails({ permit, only }: { permit: PermitView; only?: readonly string[] }) {
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
  const shown = only ? rows.filter(([key]) => only.includes(key)) : rows;
  return (
    <dl className="details">
      {shown.map(([key, label, value]) => (
        <div key={key} className="details__row" data-testid={`permit-${key}`}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Who the scan was about, in one line: the permit's holder, the person entered by hand, the code... */
export function whoOf(v: Verdict, fallback: string): string {
  // A health proof is about its own holder, whoever's permit it was shown beside.
  if (v.kind === 'health-proof') return v.dcc ? holderName(v.dcc) : fallback;
  return v.permit?.nam ?? v.person?.name ?? (v.dcc ? holderName(v.dcc) : null) ?? v.preview ?? fallback;
}

/** The certificate holder's transliterated name, family name first. */
export function holderName(d: NonNullable<Verdict['dcc']>): string {
  return [d.fnt, d.gnt ?? ''].join(' ').replace(/</g, ' ').trim();
}
