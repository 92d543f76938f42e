// A modal sheet for the lane's forms: big, touch-friendly, closed with Cancel or Escape.
import { type ReactNode, useEffect, useRef } from 'react';

interface Props {
  title: string;
  testId: string;
  onClose: () => void;
  children: ReactNode;
}

export function Dialog({ title, testId, onClose, children }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    // Focus the first field so the guard can type at once.
    ref.current?.querySelector<HTMLElement>('input, textarea, button')?.focus();
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div className="sheet-backdrop">
      <div
        className="sheet"
        role="dialog"
        aria-modal="true"
        aria-label={title}
        data-testid={testId}
        ref={ref}
      >
        <h2 className="sheet__title">{title}</h2>
        {children}
      </div>
    </div>
  );
}

/** Reason field with quick chips and a live count against the 10-character minimum. */
export function ReasonField({
  value,
  onChange,
  label,
  quick,
  quickLabel,
  countLabel,
  testId,
}: {
  value: string;
  onChange: (v: string) => void;
  label: string;
  quick: readonly string[];
  quickLabel: string;
  countLabel: (n: number) => string;
  testId: string;
}) {
  const n = [...value.normalize('NFC').replace(/\s+/g, ' ').trim()].length;
  return (
    <div className="reason">
      <span className="field__label">{quickLabel}</span>
      <div className="chips">
        {quick.map((q) => (
          <button
            key={q}
            type="button"
            className="chip"
            onClick={() => onChange(q)}
            data-testid="reason-chip"
          >
            {q}
          </button>
        ))}
      </div>
      <label className="field">
        <span className="field__label">{label}</span>
        <textarea
          className="field__input field__input--area"
          data-testid={testId}
          value={value}
          rows={2}
          maxLength={500}
          onChange={(e) => onChange(e.target.value)}
        />
      </label>
      <span className={`reason__count${n >= 10 ? ' reason__count--ok' : ''}`}>
        {countLabel(Math.min(n, 999))}
      </span>
    </div>
  );
}

/** A labelled one-line field of a dialog, sized for a finger; nothing typed here is auto-completed. */
export function TextField(props: {
  label: string;
  testId: string;
  value: string;
  onChange: (value: string) => void;
  maxLength: number;
  type?: 'text' | 'password';
  inputMode?: 'text' | 'numeric';
  autoCapitalize?: 'none';
}) {
  return (
    <label className="field">
      <span className="field__label">{props.label}</span>
      <input
        className="field__input"
        data-testid={props.testId}
        type={props.type ?? 'text'}
        inputMode={props.inputMode}
        autoCapitalize={props.autoCapitalize}
        value={props.value}
        maxLength={props.maxLength}
        autoComplete="off"
        onChange={(e) => props.onChange(e.target.value)}
      />
    </label>
  );
}
