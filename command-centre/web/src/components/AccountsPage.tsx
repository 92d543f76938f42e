// Accounts for admins: those within the admin's scope, a form to create one, and disable/enable.
// Every change is in the audit log; a disabled account's sessions end at once.
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type ApiErrorBody, post, useSession } from '../session.js';

interface Account {
  id: number;
  name: string;
  displayName: string;
  role: string;
  scope: 'city' | string[];
  disabled: boolean;
  lockedUntil: string | null;
}

const ROLES = ['viewer', 'operator', 'publisher', 'admin'] as const;

export function AccountsPage() {
  const { t, i18n } = useTranslation();
  const { csrfToken } = useSession();
  const [list, setList] = useState<Account[]>([]);
  const [error, setError] = useState<ApiErrorBody | null>(null);
  const [form, setForm] = useState({ name: '', role: 'viewer', scope: 'city', password: '' });
  const load = useCallback(async () => {
    const res = await fetch('./api/accounts');
    if (res.ok) setList((await res.json()) as Account[]);
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  const act = async (path: string, body: unknown) => {
    setError(null);
    const r = await post(path, body, csrfToken);
    if (!r.ok && r.error) setError(r.error);
    await load();
    return r.ok;
  };
  const create = async (e: FormEvent) => {
    e.preventDefault();
    const scope = form.scope.trim() === 'city' ? 'city' : form.scope.split(',').map((s) => s.trim());
    if (await act('./api/accounts', { ...form, displayName: form.name, scope })) {
      setForm({ ...form, name: '', password: '' });
    }
  };
  return (
    <main className="wide">
      <section className="panel">
        <h2>{t('accounts.heading')}</h2>
        {error ? (
          <p className="note note--bad" role="alert">
            {i18n.language === 'en' ? error.en : error.vi}
          </p>
        ) : null}
        <table className="table" data-testid="accounts-table">
          <tbody>
            {list.map((a) => (
              <tr key={a.id}>
                <td>{a.name}</td>
                <td>{t(`roles.${a.role}`)}</td>
                <td>{a.scope === 'city' ? t('scopeCity') : a.scope.join(', ')}</td>
                <td>{a.disabled ? t('accounts.disabled') : ''}</td>
                <td>
                  <button
                    type="button"
                    className="mini"
                    onClick={() => void act('./api/accounts/update', { id: a.id, disabled: !a.disabled })}
                  >
                    {a.disabled ? t('accounts.enable') : t('accounts.disable')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <form className="panel" onSubmit={create}>
        <label className="field">
          <span>{t('accounts.name')}</span>
          <input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} required />
        </label>
        <label className="field">
          <span>{t('accounts.role')}</span>
          <select value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value })}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`roles.${r}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{t('accounts.scope')}</span>
          <input value={form.scope} onChange={(e) => setForm({ ...form, scope: e.target.value })} required />
        </label>
        <label className="field">
          <span>{t('accounts.password')}</span>
          <input
            type="password"
            autoComplete="new-password"
            value={form.password}
            onChange={(e) => setForm({ ...form, password: e.target.value })}
            required
          />
        </label>
        <button type="submit" className="primary">
          {t('accounts.create')}
        </button>
      </form>
    </main>
  );
}
