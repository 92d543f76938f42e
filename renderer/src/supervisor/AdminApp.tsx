// The technician's screen: accounts (add, unlock, new PIN, disable), the tamper check, the system log
// and the retention purge. No passer's personal data is shown here.
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import type { Role, UserView } from '../../../src/contract/api-audit.js';
import { formatVnDateTime } from '../format.js';
import { EventsView } from './EventsView.js';
import { DeskHeader, type DeskProps } from './SupervisorApp.js';
import { useSupText } from './texts.js';
import { messageOf } from './util.js';
import { VerifyView } from './VerifyView.js';
import './supervisor.css';

export function AdminApp(props: DeskProps) {
  const { t, lang } = useSupText();
  const { client, onError } = props;
  const [users, setUsers] = useState<UserView[]>([]);
  const [form, setForm] = useState({ name: '', displayName: '', role: 'guard' as Role, pin: '' });
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [resetFor, setResetFor] = useState<number | null>(null);
  const [newPin, setNewPin] = useState('');

  const fail = useCallback(
    (err: unknown) => {
      onError(err);
      setMessage({ ok: false, text: messageOf(err, lang) });
    },
    [onError, lang],
  );
  const load = useCallback(() => client.call('users.list', {}).then(setUsers).catch(fail), [client, fail]);
  useEffect(() => {
    void load();
  }, [load]);

  const add = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await client.call('users.create', form);
      setForm({ name: '', displayName: '', role: 'guard', pin: '' });
      setMessage({ ok: true, text: t.saved });
      void load();
    } catch (err) {
      fail(err);
    }
  };
  const update = async (id: number, patch: { unlock?: true; disabled?: boolean; pin?: string }) => {
    try {
      await client.call('users.update', { id, ...patch });
      setMessage({ ok: true, text: t.saved });
      void load();
    } catch (err) {
      fail(err);
    }
  };
  const purge = async () => {
    try {
      const r = await client.call('retention.purge', {});
      setMessage({ ok: true, text: r.running ? t.purgeGoesOn(r.purged) : t.purged_n(r.purged) });
    } catch (err) {
      fail(err);
    }
  };

  return (
    <div className="desk" data-testid="admin-app">
      <DeskHeader
        title={t.adminTitle}
        session={props.session}
        status={props.status}
        onLogout={props.onLogout}
      />
      <main className="desk__main">
        {message ? (
          <p className={message.ok ? 'sup-ok' : 'sup-error'} role="status">
            {message.text}
          </p>
        ) : null}
        <section className="view">
          <h2>{t.users}</h2>
          <table className="table" data-testid="user-list">
            <thead>
              <tr>
                <th>{t.userName}</th>
                <th>{t.displayName}</th>
                <th>{t.role}</th>
                <th>{t.state}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {users.map((u) => (
                <tr key={u.id} data-testid="user-row">
                  <td className="mono">{u.name}</td>
                  <td>{u.displayName}</td>
                  <td>{t.roles[u.role]}</td>
                  <td>
                    {u.disabled
                      ? t.disabled
                      : u.lockedUntil
                        ? `${t.locked} → ${formatVnDateTime(u.lockedUntil)}`
                        : t.active}
                  </td>
                  <td className="actions">
                    {u.lockedUntil ? (
                      <button
                        type="button"
                        className="btn"
                        onClick={() => void update(u.id, { unlock: true })}
                      >
                        {t.unlock}
                      </button>
                    ) : null}
                    {resetFor === u.id ? (
                      <form
                        className="inline-form"
                        onSubmit={(e) => {
                          e.preventDefault();
                          void update(u.id, { pin: newPin }).then(() => {
                            setResetFor(null);
                            setNewPin('');
                          });
                        }}
                      >
                        <input
                          type="password"
                          inputMode="numeric"
                          aria-label={t.pin}
                          placeholder={t.pin}
                          maxLength={12}
                          value={newPin}
                          onChange={(e) => setNewPin(e.target.value.replace(/\D/g, ''))}
                        />
                        <button type="submit" className="btn btn--primary">
                          OK
                        </button>
                      </form>
                    ) : (
                      <button type="button" className="btn" onClick={() => setResetFor(u.id)}>
                        {t.resetPin}
                      </button>
                    )}
                    <button
                      type="button"
                      className="btn"
                      onClick={() => void update(u.id, { disabled: !u.disabled })}
                    >
                      {u.disabled ? t.enable : t.disable}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <form className="search" onSubmit={(e) => void add(e)}>
            <label className="field">
              <span>{t.userName}</span>
              <input
                value={form.name}
                onChange={(e) => setForm({ ...form, name: e.target.value })}
                maxLength={32}
              />
            </label>
            <label className="field">
              <span>{t.displayName}</span>
              <input
                value={form.displayName}
                onChange={(e) => setForm({ ...form, displayName: e.target.value })}
                maxLength={80}
              />
            </label>
            <label className="field">
              <span>{t.role}</span>
              <select value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
                {(['guard', 'supervisor', 'admin'] as const).map((r) => (
                  <option key={r} value={r}>
                    {t.roles[r]}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span>{t.pin}</span>
              <input
                type="password"
                inputMode="numeric"
                value={form.pin}
                onChange={(e) => setForm({ ...form, pin: e.target.value })}
                maxLength={12}
              />
            </label>
            <div className="search__actions">
              <button type="submit" className="btn btn--primary">
                {t.addUser}
              </button>
              <button type="button" className="btn" onClick={() => void purge()}>
                {t.purgeNow}
              </button>
            </div>
          </form>
        </section>
        <VerifyView client={client} onError={onError} />
        <EventsView client={client} onError={onError} />
      </main>
    </div>
  );
}
