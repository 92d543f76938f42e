// Pieces every verdict panel shares: the panel itself, with the attributes tests and styles read, and
// the permit's detail rows.
import { Fragment, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { PermitView, Verdict } from '../../../src/contract/api.js';
import { areaPlace } from '../../../src/contract/areas.js';
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

/** A row's value: words a guard reads (each place whole), and the codes they stand for, small, beneath. */
type Value = string | { words: string[]; codes: string };

/** Areas by name, their codes beneath: "Quận Thanh Xuân; Quận Đống Đa" over "01-009 · 01-006". */
function placesOf(codes: readonly string[], unknown: string): Value {
  const names = codes.map((c) => areaPlace(c));
  const known = names.filter((n): n is string => n !== null);
  const missing = names.some((n) => n === null) ? ` (${unknown})` : '';
  return { words: known.length > 0 ? known : [...codes], codes: `${codes.join(' · ')}${missing}` };
}

/** The permit's rows; `only` keeps those named (e.g. what the paper log needs). */
export function PermitDetails({ permit, only }: { permit: PermitView; only?: readonly string[] }) {
  const { t } = useTranslation();
  const rows: [string, string, Value][] = [
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
  const unknown = t('unknownArea');
  rows.push(['areas', t('areas'), placesOf(permit.areas, unknown)]);
  if (permit.home) rows.push(['home', t('home'), placesOf([permit.home], unknown)]);
  // The trust list's name for the issuer, else the area it serves; its area code beneath.
  const issuer = permit.issuerName ?? areaPlace(permit.iss);
  rows.push(['issuer', t('issuer'), issuer ? { words: [issuer], codes: permit.iss } : permit.iss]);
  if (permit.org) rows.push(['org', t('org'), permit.org]);
  const shown = only ? rows.filter(([key]) => only.includes(key)) : rows;
  return (
    <dl className="details">
      {shown.map(([key, label, value]) => (
        <div key={key} className="details__row" data-testid={`permit-${key}`}>
          <dt>{label}</dt>
          {typeof value === 'string' ? (
            <dd>{value}</dd>
          ) : (
            <dd>
              <span className="details__words">
                {value.words.map((w, i) => (
                  // A line breaks between places, never inside one ("Phường Nhân Chính, Quận Thanh Xuân").
                  <Fragment key={w}>
                    {i > 0 ? ' ' : null}
                    <span className="details__place">
                      {w}
                      {i < value.words.length - 1 ? ';' : ''}
                    </span>
                  </Fragment>
                ))}
              </span>
              <span className="details__codes" data-testid={`permit-${key}-codes`}>
                {value.codes}
              </span>
            </dd>
          )}
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
