// "3 phút trước": how long ago, in the dashboard's language.
import type { TFunction } from 'i18next';

export function ago(t: TFunction, iso: string | null, nowMs: number): string {
  if (!iso) return t('never');
  const s = Math.max(0, Math.floor((nowMs - Date.parse(iso)) / 1000));
  if (s < 5) return t('ago.now');
  if (s < 60) return t('ago.s', { n: s });
  if (s < 3600) return t('ago.m', { n: Math.floor(s / 60) });
  if (s < 86_400) return t('ago.h', { n: Math.floor(s / 3600) });
  return t('ago.d', { n: Math.floor(s / 86_400) });
}

export const fmt = new Intl.NumberFormat('vi-VN');
