// The login page: name and password, the refusal in the page's language (wrong password, account
// locked for some minutes). A successful login sets the HttpOnly session cookie and opens the dashboard.
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiErrorBody, SessionInfo } from '../session.js';

export function LoginPage({ onLogin }: { onLogin: (s: SessionInfo) => void }) {
  const { t, i18n } = useTranslation();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiErrorBody | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await fetch('./api/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name, password }),
      });
      const body = (await res.json()) as { ok: boolean; result?: SessionInfo; error?: ApiErrorBody };
      if (body.ok && body.result) onLogin(body.result);
      else
        setError(body.error ?? { code: String(res.status), vi: String(res.status), en: String(res.status) });
    } catch (err) {
      const msg = String(err);
      setError({ code: 'NETWORK', vi: `Lỗi mạng: ${msg}`, en: `Network error: ${msg}` });
    } finally {
      setBusy(false);
      setPassword('');
    }
  };
  return (
    <main className="login">
      <form className="panel login__form" onSubmit={submit} data-testid="login-form">
        <h2>{t('login.heading')}</h2>
        <label className="field">
          <span>{t('login.name')}</span>
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            autoComplete="username"
            required
            data-testid="login-name"
          />
        </label>
        <label className="field">
          <span>{t('login.password')}</span>
          <input
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            autoComplete="current-password"
            required
            data-testid="login-password"
          />
        </label>
        {error ? (
          <p className="note note--bad" role="alert" data-testid="login-error">
            {i18n.language === 'en' ? error.en : error.vi}
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={busy} data-testid="login-submit">
          {busy ? t('login.busy') : t('login.submit')}
        </button>
        <p className="hint">{t('login.hint')}</p>
      </form>
    </main>
  );
}
