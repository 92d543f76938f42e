// Day or night view. An explicit choice is remembered; otherwise follow the system's colour scheme.
import { useEffect, useState } from 'react';

export type Theme = 'day' | 'night';
const STORAGE_KEY = 'kiosk.theme';

function stored(): Theme | null {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    return v === 'day' || v === 'night' ? v : null;
  } catch {
    return null;
  }
}

function systemTheme(): Theme {
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'night' : 'day';
}

export function useTheme(): [Theme, (t: Theme) => void] {
  const [choice, setChoice] = useState<Theme | null>(stored);
  const [system, setSystem] = useState<Theme>(systemTheme);

  useEffect(() => {
    const mq = window.matchMedia?.('(prefers-color-scheme: dark)');
    if (!mq) return;
    const onChange = () => setSystem(mq.matches ? 'night' : 'day');
    mq.addEventListener('change', onChange);
    return () => mq.removeEventListener('change', onChange);
  }, []);

  const theme = choice ?? system;
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  const set = (t: Theme) => {
    setChoice(t);
    try {
      localStorage.setItem(STORAGE_KEY, t);
    } catch {
      // Storage disabled: the choice holds for this session only.
    }
  };
  return [theme, set];
}
