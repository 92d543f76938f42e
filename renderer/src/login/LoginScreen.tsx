// The PIN login shared by guards and supervisors: the checkpoint's name and the time (public status),
// a name field and a big on-screen keypad for gloved fingers; a physical keyboard works too.
import { type FormEvent, useEffect, useRef, useState } from 'react';
import type { KioskStatus } from '../../../src/contract/api.js';
import { formatVnDateTime } from '../format.js';
import { setLang } from '../i18n.js';
import { NoShiftNotice } from './NoShiftNotice.js';
import { useLoginText } from './texts.js';

function lastUser(): string {
  try {
    return localStorage.getItem('kiosk.lastUser') ?? '';
  } catch {
    return '';
  }
}

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', 'clear', '0', 'back'] as const;

export function LoginScreen({
  status,
  onLogin,
  notice,
}: {
  status: KioskStatus | null;
  onLogin: (name: string, pin: string) => Promise<void>;
  /** A message to show on arrival (e.g. the session expired). */
  notice: { vi: string; en: string } | null;
}) {
  const { t, lang } = useLoginText();
  const [name, setName] = useState(lastUser);
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ vi: string; en: string } | null>(notice);
  const pinRef = useRef<HTMLInputElement>(null);
  const nameRef = useRef<HTMLInputElement>(null);

  // Focus once, on arrival (the PIN when the name is remembered); later focus follows the guard's taps.
  const firstName = useRef(name);
  useEffect(() => {
    (firstName.current ? pinRef : nameRef).current?.focus();
  }, []);

  const press = (key: (typeof KEYS)[number]) => {
    setError(null);
    if (key === 'clear') setPin('');
    else if (key === 'back') setPin((p) => p.slice(0, -1));
    else setPin((p) => (p.length < 12 ? p + key : p));
    pinRef.current?.focus();
  };

  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    if (busy || !name.trim() || pin.length === 0) return;
    setBusy(true);
    setError(null);
    try {
      await onLogin(name.trim(), pin);
      try {
        localStorage.setItem('kiosk.lastUser', name.trim());
      } catch {
        // Storage disabled: the name is typed again next time.
      }
    } catch (err) {
      const e2 = err as { vi?: string; en?: string };
      setError({ vi: e2.vi ?? 'Lỗi không rõ', en: e2.en ?? 'Unknown error' });
      setPin('');
    } finally {
      setBusy(false);
    }
  };

  const cp = status?.checkpoint;
  return (
    <div className="login" data-testid="login-screen">
      <header className="login__top">
        <div>
          <div className="login__place" data-testid="login-checkpoint">
            {cp ? (cp.name ?? cp.id) : '…'}
          </div>
          <div className="login__sub">
            {cp?.areaName ?? cp?.area ?? ''} {status ? `· ${formatVnDateTime(status.now)}` : ''}
          </div>
        </div>
        <button type="button" className="login__lang" onClick={() => setLang(lang === 'vi' ? 'en' : 'vi')}>
          {t.switchLang}
        </button>
      </header>
      <NoShiftNotice status={status} />
      <form className="login__card" onSubmit={(e) => void submit(e)}>
        <h1 className="login__title">{t.title}</h1>
        <p className="login__hint">{t.subtitle}</p>
        <label className="login__label" htmlFor="login-name">
          {t.name}
        </label>
        <input
          id="login-name"
          ref={nameRef}
          className="login__input"
          data-testid="login-name"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          maxLength={32}
          value={name}
          onChange={(e) => {
            setName(e.target.value);
            setError(null);
          }}
        />
        <label className="login__label" htmlFor="login-pin">
          {t.pin}
        </label>
        <input
          id="login-pin"
          ref={pinRef}
          className="login__input login__input--pin"
          data-testid="login-pin"
          type="password"
          inputMode="numeric"
          autoComplete="current-password"
          maxLength={12}
          value={pin}
          onChange={(e) => {
            setPin(e.target.value.replace(/\D/g, '').slice(0, 12));
            setError(null);
          }}
        />
        <fieldset className="keypad" aria-label={t.pin}>
          {KEYS.map((k) => (
            <button
              key={k}
              type="button"
              className={`keypad__key${k === 'clear' || k === 'back' ? ' keypad__key--fn' : ''}`}
              onClick={() => press(k)}
              aria-label={k === 'clear' ? t.clear : k === 'back' ? t.back : k}
            >
              {k === 'clear' ? t.clear : k === 'back' ? '⌫' : k}
            </button>
          ))}
        </fieldset>
        {error ? (
          <div className="login__error" role="alert" data-testid="login-error">
            {error[lang]}
          </div>
        ) : null}
        <button
          type="submit"
          className="login__go"
          data-testid="login-submit"
          disabled={busy || !name.trim() || !pin}
        >
          {busy ? t.wait : t.login}
        </button>
      </form>
    </div>
  );
}
