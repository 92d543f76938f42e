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

export function DecisionIcon({ decision, size, className }: IconProps & { decision: Decision }) {
  if (decision === 'ALLOW') return <CheckIcon size={size} className={className} />;
  if (decision === 'DENY') return <CrossIcon size={size} className={className} />;
  return <AlertIcon size={size} className={className} />;
}
