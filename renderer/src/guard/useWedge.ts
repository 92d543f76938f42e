// Keyboard-wedge scanners on the page: every key goes through the pure detector
// (src/hardware/wedge-detector.ts) before anything else sees it. Outside a text field a burst is
// swallowed; inside one, the keys reach the field and a permit burst is taken back out of it when it
// turns out to be a scan, so the guard's own typing is never lost (README "Scanners").
import { useEffect, useRef } from 'react';
import { WedgeDetector } from '../../../src/hardware/wedge-detector.js';

function isTextField(el: Element | null): el is HTMLInputElement | HTMLTextAreaElement {
  if (el instanceof HTMLTextAreaElement) return !el.readOnly && !el.disabled;
  if (!(el instanceof HTMLInputElement) || el.readOnly || el.disabled) return false;
  return ['text', 'search', 'tel', 'number', 'password', 'email', 'url', ''].includes(el.type);
}

interface Snapshot {
  el: HTMLInputElement | HTMLTextAreaElement;
  value: string;
  start: number | null;
  end: number | null;
}

/** Sets a field's value so that React's onChange sees it (React tracks the native setter). */
function restore(s: Snapshot): void {
  const proto =
    s.el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  Object.getOwnPropertyDescriptor(proto, 'value')?.set?.call(s.el, s.value);
  s.el.dispatchEvent(new Event('input', { bubbles: true }));
  try {
    if (s.start !== null) s.el.setSelectionRange(s.start, s.end ?? s.start);
  } catch {
    // Some input types (number) have no selection.
  }
}

/** Calls onScan(text) for each wedge scan; `enabled` false (a dialog that wants raw keys) turns it off. */
export function useWedge(onScan: (text: string) => void, enabled = true): void {
  const cb = useRef(onScan);
  cb.current = onScan;
  useEffect(() => {
    if (!enabled) return;
    const detector = new WedgeDetector();
    // The field's content before the burst that is in progress, to put back if it was a scan.
    let snapshot: Snapshot | null = null;

    const onKeyDown = (ev: KeyboardEvent) => {
      if (ev.isComposing) return;
      const focused = document.activeElement;
      const inTextField = isTextField(focused);
      const r = detector.key({
        key: ev.key,
        time: ev.timeStamp,
        inTextField,
        modifier: ev.ctrlKey || ev.altKey || ev.metaKey,
        seenAt: performance.now(),
      });
      // This key started a burst: remember the field as it is before the key lands in it (keydown
      // comes first), to put back if the burst turns out to be a scan.
      if (inTextField && detector.pending === 1 && [...ev.key].length === 1) {
        snapshot = {
          el: focused,
          value: focused.value,
          start: focused.selectionStart,
          end: focused.selectionEnd,
        };
      }
      if (r.kind === 'swallow') {
        ev.preventDefault();
        ev.stopPropagation();
      } else if (r.kind === 'scan') {
        ev.preventDefault();
        ev.stopPropagation();
        if (r.fieldChars > 0 && snapshot) restore(snapshot);
        snapshot = null;
        cb.current(r.text);
      }
    };
    // Scanners set to send no suffix: a prefixed burst ends after a short quiet.
    const timer = window.setInterval(() => {
      const r = detector.tick(performance.now(), isTextField(document.activeElement));
      if (r.kind === 'scan') {
        if (r.fieldChars > 0 && snapshot) restore(snapshot);
        snapshot = null;
        cb.current(r.text);
      }
    }, 50);
    window.addEventListener('keydown', onKeyDown, { capture: true });
    return () => {
      window.removeEventListener('keydown', onKeyDown, { capture: true });
      window.clearInterval(timer);
    };
  }, [enabled]);
}
