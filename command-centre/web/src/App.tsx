// The command-centre dashboard: the login page until an operator logs in; then a header (who, role
// and scope, broker, clock, language, logout) and the page the URL hash names, among those the role
// may open: overview for all, publish for publishers, audit log and accounts for admins.
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatVnDateTime } from '../../../renderer/src/format.js';
import { AccountsPage } from './components/AccountsPage.js';
import { AuditPage } from './components/AuditPage.js';
import { LoginPage } from './components/LoginPage.js';
import { Overview } from './components/Overview.js';
import { PublishPage } from './components/PublishPage.js';
import { type Lang, setLang } from './i18n.js';
import { type Action, post, SessionContext, type SessionInfo } from './session.js';
import { useSnapshot } from './useSnapshot.js';

type Page = 'overview' | 'publish' | 'audit' | 'accounts';
const PAGES: { page: Page; hash: string; needs: Action; label: string }[] = [
  { page: 'overview', hash: '#/', needs: 'read', label: 'tabOverview' },
  { page: 'publish', hash: '#/publish', needs: 'publish', label: 'tabPublish' },
  { page: 'audit', hash: '#/audit', needs: 'audit', label: 'tabAudit' },
  { page: 'accounts', hash: '#/accounts', needs: 'accounts', label: 'tabAccounts' },
];
const pageOf = (hash: string): Page => PAGES.find((p) => p.hash === hash)?.page ?? 'overview';

function Languages() {
  const { i18n } = useTranslation();
  const lang: Lang = i18n.language === 'en' ? 'en' : 'vi';
  return (
    <div className="lang" title="Ngôn ngữ / Language">
      {(['vi', 'en'] as const).map((l) => (
        <button
          key={l}
          type="button"
          className={lang === l ? 'lang__btn lang__btn--on' : 'lang__btn'}
          aria-pressed={lang === l}
          onClick={() => setLang(l)}
          data-testid={`lang-${l}`}
        >
          {l === 'vi' ? 'Tiếng Việt' : 'English'}
        </button>
      ))}
    </div>
  );
}

export function App() {
  const { t } = useTranslation();
  // undefined: asking the server; null: nobody logged in.
  const [session, setSession] = useState<SessionInfo | null | undefined>(undefined);
  const check = useCallback(async () => {
    try {
      const res = await fetch('./api/session');
      setSession(res.ok ? ((await res.json()) as SessionInfo) : null);
    } catch {
      // The server is unreachable: keep what is on screen; the stream banner says so.
    }
  }, []);
  useEffect(() => {
    void check();
  }, [check]);
  if (session === undefined) return <p className="loading">{t('loading')}</p>;
  if (session === null) {
    return (
      <div className="app">
        <header className="top">
          <div className="top__title">
            <h1>{t('title')}</h1>
            <span className="top__sub">{t('subtitle')}</span>
          </div>
          <div className="top__right">
            <Languages />
          </div>
        </header>
        <LoginPage onLogin={setSession} />
      </div>
    );
  }
  return (
    <SessionContext.Provider value={session}>
      <Dashboard session={session} onLost={check} onLogout={() => setSession(null)} />
    </SessionContext.Provider>
  );
}

function Dashboard({
  session,
  onLost,
  onLogout,
}: {
  session: SessionInfo;
  onLost: () => void;
  onLogout: () => void;
}) {
  const { t } = useTranslation();
  const live = useSnapshot();
  const [page, setPage] = useState<Page>(() => pageOf(window.location.hash));
  // A short grace period so the banner does not flash while the stream first opens.
  const [showLost, setShowLost] = useState(false);
  useEffect(() => {
    if (live.connected) {
      setShowLost(false);
      return;
    }
    const timer = setTimeout(() => {
      setShowLost(true);
      // The stream may have closed because the session ended: back to the login page if so.
      onLost();
    }, 1500);
    return () => clearTimeout(timer);
  }, [live.connected, onLost]);

  useEffect(() => {
    const onHash = () => setPage(pageOf(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const allowed = PAGES.filter((p) => session.can.includes(p.needs));
  const shown = allowed.some((p) => p.page === page) ? page : 'overview';
  const broker = live.snapshot?.broker;
  const scope = session.user.scope;
  const logout = async () => {
    await post('./api/logout', {}, session.csrfToken);
    onLogout();
  };
  return (
    <div className="app">
      {showLost ? (
        <div className="banner" role="alert" data-testid="stream-lost">
          {t('streamLost')}
        </div>
      ) : null}
      <header className="top">
        <div className="top__title">
          <h1>{t('title')}</h1>
          <span className="top__sub">{t('subtitle')}</span>
        </div>
        <nav className="tabs" aria-label={t('title')}>
          {allowed.map((p) => (
            <a
              key={p.page}
              href={p.hash}
              className={shown === p.page ? 'tab tab--on' : 'tab'}
              data-testid={`tab-${p.page}`}
            >
              {t(p.label)}
            </a>
          ))}
        </nav>
        <div className="top__right">
          <span className="who" data-testid="who" data-role={session.user.role}>
            <strong>{session.user.displayName}</strong> · {t(`roles.${session.user.role}`)} ·{' '}
            {scope === 'city' ? t('scopeCity') : t('scopeDistricts', { list: scope.join(', ') })}
          </span>
          <span
            className={broker?.connected ? 'pill pill--good' : 'pill pill--bad'}
            data-testid="broker-state"
            data-connected={broker?.connected ? 'true' : 'false'}
            title={broker?.error ?? broker?.url ?? ''}
          >
            {t('broker')}: {broker?.connected ? t('brokerOn') : t('brokerOff')}
          </span>
          <time className="top__clock">{formatVnDateTime(live.nowMs)}</time>
          <Languages />
          <button type="button" className="mini" onClick={() => void logout()} data-testid="logout">
            {t('logout')}
          </button>
        </div>
      </header>
      {shown === 'audit' ? (
        <AuditPage />
      ) : shown === 'accounts' ? (
        <AccountsPage />
      ) : live.snapshot === null ? (
        <p className="loading">{t('loading')}</p>
      ) : shown === 'overview' ? (
        <Overview snapshot={live.snapshot} nowMs={live.nowMs} />
      ) : (
        <PublishPage snapshot={live.snapshot} nowMs={live.nowMs} />
      )}
    </div>
  );
}
