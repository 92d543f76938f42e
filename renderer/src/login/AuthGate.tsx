// The view switch by role: nobody → the PIN login; a guard → the shift gate, then the scan screen under
// a slim shift bar; a supervisor → the audit screens; an admin → accounts. Owns the client: after a
// login or logout in a browser, the WebSocket is opened again so that it carries the new cookie.
import { type ReactNode, useCallback, useEffect, useRef, useState } from 'react';
import type { KioskStatus } from '../../../src/contract/api.js';
import type { SessionView } from '../../../src/contract/api-audit.js';
import type { UiClient } from '../api/client.js';
import { AdminApp } from '../supervisor/AdminApp.js';
import { SupervisorApp } from '../supervisor/SupervisorApp.js';
import { LoginScreen } from './LoginScreen.js';
import { GuardBar, ShiftGate } from './ShiftGate.js';
import { isSessionLost, login, logout } from './session.js';
import { useLoginText } from './texts.js';
import './login.css';

export function AuthGate({
  ui: first,
  scanScreen,
}: {
  ui: UiClient;
  scanScreen: (ui: UiClient) => ReactNode;
}) {
  const { t } = useLoginText();
  const [ui, setUi] = useState(first);
  /** undefined while asking the kiosk who we are. */
  const [session, setSession] = useState<SessionView | null | undefined>(undefined);
  const [status, setStatus] = useState<KioskStatus | null>(null);
  const [notice, setNotice] = useState<{ vi: string; en: string } | null>(null);

  const refresh = useCallback(async () => {
    try {
      setSession(await ui.client.call('auth.whoami', {}));
    } catch {
      setSession(null);
    }
  }, [ui]);

  useEffect(() => {
    void refresh();
    ui.client
      .call('status.get', {})
      .then(setStatus)
      .catch(() => {});
    const off = ui.client.on('status', setStatus);
    // A reconnect (kiosk restarted) may have changed who we are.
    const offConn = ui.onConnection?.((up) => {
      if (up) void refresh();
    });
    return () => {
      off();
      offConn?.();
    };
  }, [ui, refresh]);

  // The shift changed under us (opened, handed over, closed by a supervisor): ask again. Status
  // events come with every scan; only a change of the open shift matters.
  const lastShift = useRef<number | null | undefined>(undefined);
  useEffect(() => {
    if (!status) return;
    const id = status.shift?.id ?? null;
    if (lastShift.current !== undefined && lastShift.current !== id) void refresh();
    lastShift.current = id;
  }, [status, refresh]);

  const onError = useCallback((err: unknown) => {
    if (isSessionLost(err)) {
      const e = err as { vi: string; en: string };
      setNotice({ vi: e.vi, en: e.en });
      setSession(null);
    }
  }, []);

  const onLogin = async (name: string, pin: string) => {
    const r = await login(ui, name, pin);
    setNotice(null);
    setUi(r.ui);
    setSession(r.session);
  };

  const onLogout = async () => {
    const next = await logout(ui, session?.csrfToken ?? null);
    setSession(null);
    setUi(next);
  };

  const onClosed = async () => {
    // Closing a shift ends the guard's session on the kiosk; forget the cookie as well.
    const next = await logout(ui, null);
    setSession(null);
    setUi(next);
  };

  if (session === undefined) return <div className="login login--loading">{t.loading}</div>;
  if (session === null) return <LoginScreen status={status} onLogin={onLogin} notice={notice} />;
  const role = session.user.role;
  if (role === 'supervisor') {
    return (
      <SupervisorApp
        client={ui.client}
        session={session}
        status={status}
        onLogout={onLogout}
        onError={onError}
      />
    );
  }
  if (role === 'admin') {
    return (
      <AdminApp client={ui.client} session={session} status={status} onLogout={onLogout} onError={onError} />
    );
  }
  const mine = session.shift && session.shift.userId === session.user.id;
  if (!mine) {
    return (
      <ShiftGate
        client={ui.client}
        session={session}
        status={status}
        onOpened={() => void refresh()}
        onLogout={() => void onLogout()}
        onError={onError}
      />
    );
  }
  return (
    <div className="gate">
      <GuardBar
        client={ui.client}
        session={session}
        onClosed={() => void onClosed()}
        onLogout={() => void onLogout()}
        onError={onError}
      />
      <div className="gate__main">{scanScreen(ui)}</div>
    </div>
  );
}
