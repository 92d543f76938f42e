// The lane's part of the verdict panel: the vehicle recorded, a person recorded by hand, and the
// override, either as the button that starts one or as the banner once the guard let the person through.
import type { Verdict } from '../../../src/contract/api.js';
import { normalisePlate } from '../../../src/contract/plate.js';
import { CheckIcon, CrossIcon } from '../components/Icons.js';
import { formatVnTime } from '../format.js';
import { useGuardText } from './texts.js';

/** Detail rows for the verdict's details grid (same markup as the permit's rows). */
export function LaneDetails({ verdict }: { verdict: Verdict }) {
  const { g, t } = useGuardText();
  const rows: [string, string, string][] = [];
  const p = verdict.person;
  if (p) {
    rows.push(['manual-id', t('id'), p.idMasked]);
    rows.push(['manual-purpose', t('purpose'), t(`purposes.${p.purpose}`, { defaultValue: p.purpose })]);
  }
  const v = verdict.vehicle;
  // The vehicle seen at the barrier, unless it only repeats the permit's (shown above already).
  const permitPlate = verdict.permit?.veh?.plate;
  const repeatsPermit =
    v &&
    permitPlate !== undefined &&
    normalisePlate(v.plate ?? '') === normalisePlate(permitPlate) &&
    v.passengers === 0;
  if (v && !repeatsPermit) {
    const parts = [v.plate, v.type ? t(`vehicles.${v.type}`, { defaultValue: v.type }) : null].filter(
      Boolean,
    );
    if (v.passengers > 0) parts.push(g('withPassengers', { count: v.passengers }));
    rows.push(['recorded-vehicle', g('vehicleHere'), parts.join(' · ')]);
  }
  if (rows.length === 0) return null;
  return (
    <dl className="details details--lane">
      {rows.map(([key, label, value]) => (
        <div key={key} className="details__row" data-testid={`lane-${key}`}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** The holder's name for a person recorded by hand, with the "by hand" tag. */
export function ManualHolder({ verdict }: { verdict: Verdict }) {
  const { g } = useGuardText();
  if (!verdict.person) return null;
  return (
    <h2 className="holder" data-testid="holder-name">
      {verdict.person.name} <span className="tag">{g('manualRecorded')}</span>
    </h2>
  );
}

/** Under a DENY or REVIEW: the override button, or what the guard decided. */
export function OverrideFooter({
  verdict,
  onOverride,
}: {
  verdict: Verdict;
  onOverride?: ((v: Verdict) => void) | undefined;
}) {
  const { g } = useGuardText();
  const o = verdict.override;
  if (o) {
    return (
      <div className="overridden" data-testid="overridden" role="status">
        <CheckIcon size="1.4em" />
        <div>
          <div className="overridden__word">{g('overridden')}</div>
          <div className="overridden__why" data-testid="override-reason-shown">
            {o.reason}
            {o.by ? ` · ${g('overriddenBy')}: ${o.by}` : ''} · {formatVnTime(o.at, false)}
          </div>
        </div>
      </div>
    );
  }
  if (verdict.source === 'manual') {
    // A manual entry the guard refused: say so plainly.
    return (
      <div className="overridden overridden--refused" data-testid="manual-refused">
        <CrossIcon size="1.4em" />
        <div className="overridden__word">{g('refuse')}</div>
      </div>
    );
  }
  if (verdict.decision === 'ALLOW' || verdict.passageId === null || !onOverride) return null;
  if (verdict.kind !== 'passage' && verdict.kind !== 'duplicate') return null;
  return (
    <button
      type="button"
      className="big override-btn"
      data-testid="override-open"
      onClick={() => onOverride(verdict)}
    >
      {g('override')}
    </button>
  );
}
