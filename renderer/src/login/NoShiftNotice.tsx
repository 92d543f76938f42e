// A scan came while nobody was on duty: it was not recorded. Shown on the login and shift screens, where
// the guard who must open a shift is looking, in the review colour (it asks for action, it is no fault).
import type { KioskStatus } from '../../../src/contract/api.js';
import { formatVnTime } from '../format.js';
import { useLoginText } from './texts.js';

export function NoShiftNotice({ status }: { status: KioskStatus | null }) {
  const { t } = useLoginText();
  const scan = status?.noShiftScan;
  if (!scan) return null;
  return (
    <div className="no-shift-notice" role="alert" data-testid="no-shift-notice">
      <strong>{t.noShiftScanTitle}</strong>
      <span>{t.noShiftScanText(formatVnTime(scan.at, false), scan.lane)}</span>
    </div>
  );
}
