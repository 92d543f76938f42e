// The command-centre dashboard: a header (broker, clock, language), then the overview or the publish
// page. The page is chosen by the URL hash, so a bookmark or a second screen can open either.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatVnDateTime } from '../../../renderer/src/format.js';
import { Overview } from './components/Overview.js';
import { PublishPage } from './components/PublishPage.js';
import { type Lang, setLang } from './i18n.js';
import { useSnapshot } from './useSnapshot.js';

type Page = 'overview' | 'publish';
const pageOf = (hash: string): Page => (hash === '#/publish' ? 'publish' : 'overview');

export function App() {
  const { t, i18n } = useTranslation();
  const live = useSnapshot();
  const [page, setPage] = useState<Page>(() => pageOf(window.location.hash));
  const lang: Lang = i18n.language === 'en' ? 'en' : 'vi';
  // A short grace period so the banner does not flash while the stream first opens.
  const [showLost, setShowLost] = useState(false);
  useEffect(() => {
    if (live.connected) {
      setShowLost(false);
      return;
    }
    const timer = setTimeout(() => setShowLost(true), 1500);
    return () => clearTimeout(timer);
  }, [live.connected]);

  useEffect(() => {
    const onHash = () => setPage(pageOf(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const broker = live.snapshot?.broker;
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
          <a href="#/" className={page === 'overview' ? 'tab tab--on' : 'tab'} data-testid="tab-overview">
            {t('tabOverview')}
          </a>
          <a
            href="#/publish"
            className={page === 'publish' ? 'tab tab--on' : 'tab'}
            data-testid="tab-publish"
          >
            {t('tabPublish')}
          </a>
        </nav>
        <div className="top__right">
          <span
            className={broker?.connected ? 'pill pill--good' : 'pill pill--bad'}
            data-testid="broker-state"
            data-connected={broker?.connected ? 'true' : 'false'}
            title={broker?.error ?? broker?.url ?? ''}
          >
            {t('broker')}: {broker?.connected ? t('brokerOn') : t('brokerOff')}
          </span>
          <time className="top__clock">{formatVnDateTime(live.nowMs)}</time>
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
        </div>
      </header>
      {live.snapshot === null ? (
        <p className="loading">{t('loading')}</p>
      ) : page === 'overview' ? (
        <Overview snapshot={live.snapshot} nowMs={live.nowMs} />
      ) : (
        <PublishPage snapshot={live.snapshot} nowMs={live.nowMs} />
      )}
    </div>
  );
}
