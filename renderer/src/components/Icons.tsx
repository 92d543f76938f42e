// Inline SVG icons (no emoji, no icon font): a shape per decision, so the verdict reads without colour.
import type { Decision } from '../../../src/contract/reasons.js';

interface IconProps {
  size?: number | string;
  className?: string;
}

export function CheckIcon({ size = '1em', className }: IconProps) {
  return (
    <svg className={className} width={size} height={size} viewBox="0 0 100 100" aria-hidden="true">
      <circle cx="50" cy="50" r="46" fill="none" stroke="currentColor" strokeWidth="8" />
      <path
        d="M27 52 L43 68 L74 34"
        fill="none"
        stroke="currentColor"
        strokeWidth="11"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    </svg>
  );
}

export function CrossIcon({ size = '1em', className }: IconProps) {
  return (
    <svg className={className} width={size} height={size} viewBox="0 0 100 100" aria-hidden="true">
      <rect x="4" y="4" width="92" height="92" rx="10" fill="none" stroke="currentColor" strokeWidth="8" />
      <path d="M30 30 L70 70 M70 30 L30 70" stroke="currentColor" strokeWidth="12" strokeLinecap="round" />
    </svg>
  );
}

export function AlertIcon({ size = '1em', className }: IconProps) {
  return (
    <svg className={className} width={size} height={size} viewBox="0 0 100 100" aria-hidden="true">
      <path d="M50 6 L95 90 H5 Z" fill="none" stroke="currentColor" strokeWidth="8" strokeLinejoin="round" />
      <path d="M50 36 V62" stroke="currentColor" strokeWidth="11" strokeLinecap="round" />
      <circle cx="50" cy="77" r="6.5" fill="currentColor" />
    </svg>
  );
}

export function RepeatIcon({ size = '1em', className }: IconProps) {
  return (
    <svg className={className} width={size} height={size} viewBox="0 0 100 100" aria-hidden="true">
      <path
        d="M78 40 A30 30 0 1 0 80 60"
        fill="none"
        stroke="currentColor"
        strokeWidth="9"
        strokeLinecap="round"
      />
      <path
        d="M82 18 V42 H58"
        fill="none"
        stroke="currentColor"
        strokeWidth="9"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    </svg>
  );
}

export function ScanIcon({ size = '1em', className }: IconProps) {
  return (
    <svg className={className} width={size} height={size} viewBox="0 0 100 100" aria-hidden="true">
      <path
        d="M8 30 V8 H30 M70 8 H92 V30 M92 70 V92 H70 M30 92 H8 V70"
        fill="none"
        stroke="currentColor"
        strokeWidth="7"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
      <rect x="24" y="24" width="20" height="20" fill="currentColor" />
      <rect x="56" y="24" width="20" height="20" fill="currentColor" />
      <rect x="24" y="56" width="20" height="20" fill="currentColor" />
      <rect x="58" y="58" width="8" height="8" fill="currentColor" />
      <rect x="70" y="70" width="8" height="8" fill="currentColor" />
      <path d="M4 50 H96" stroke="currentColor" strokeWidth="4" opacity="0.6" />
    </svg>
  );
}

/** Not recorded: the paper log and a pen (write it down by hand). */
export function PaperLogIcon({ size = '1em', className }: IconProps) {
  return (
    <svg className={className} width={size} height={size} viewBox="0 0 100 100" aria-hidden="true">
      <path
        d="M14 8 H62 L74 20 V92 H14 Z"
        fill="none"
        stroke="currentColor"
        strokeWidth="7"
        strokeLinejoin="round"
      />
      <path
        d="M26 32 H58 M26 48 H52 M26 64 H44"
        stroke="currentColor"
        strokeWidth="6"
        strokeLinecap="round"
      />
      <path
        d="M88 34 L96 42 L62 76 L50 80 L54 68 Z"
        fill="currentColor"
        stroke="currentColor"
        strokeWidth="3"
        strokeLinejoin="round"
      />
    </svg>
  );
}

/** No shift open: a guard's silhouette and a key (log in first). */
export function GuardIcon({ size = '1em', className }: IconProps) {
  return (
    <svg className={className} width={size} height={size} viewBox="0 0 100 100" aria-hidden="true">
      <circle cx="38" cy="30" r="17" fill="none" stroke="currentColor" strokeWidth="8" />
      <path
        d="M8 92 C8 66 22 56 38 56 C50 56 58 60 63 67"
        fill="none"
        stroke="currentColor"
        strokeWidth="8"
        strokeLinecap="round"
      />
      <circle cx="74" cy="70" r="11" fill="none" stroke="currentColor" strokeWidth="7" />
      <path d="M74 81 V96 M74 90 H83" stroke="currentColor" strokeWidth="7" strokeLinecap="round" />
    </svg>
  );
}

/** A health certificate: a document with a medical cross (not a decision shape). */
export function ProofIcon({ size = '1em', className }: IconProps) {
  return (
    <svg className={className} width={size} height={size} viewBox="0 0 100 100" aria-hidden="true">
      <rect x="14" y="6" width="72" height="88" rx="8" fill="none" stroke="currentColor" strokeWidth="7" />
      <path d="M50 28 V68 M30 48 H70" stroke="currentColor" strokeWidth="13" strokeLinecap="butt" />
    </svg>
  );
}

export function DecisionIcon({ decision, size, className }: IconProps & { decision: Decision }) {
  if (decision === 'ALLOW') return <CheckIcon size={size} className={className} />;
  if (decision === 'DENY') return <CrossIcon size={size} className={className} />;
  return <AlertIcon size={size} className={className} />;
}
