// The header: where this kiosk is, which lane and direction, whether the scanner and the uplink work,
// the time (Vietnam), and the language and theme switches, always visible. Under it, for a minute, the
// last thing the scanner sent that was not a code; above everything, while the log refuses writes, a
// banner that sends the guard to the paper log.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { KioskStatus } from '../../../src/contract/api.js';
import type { Direction } from '../../../src/contract/reasons.js';
import { formatVnDate, formatVnDateTime, formatVnTime } from '../format.js';
import { type Lang, setLang } from '../i18n.js';
import { recentDiagnostic, scannerProblem, storeFault } from '../status-view.js';
import { AlertIcon, PaperLogIcon } from './Icons.js';

interface Props {
  status: KioskStatus | null;
  clockOffsetMs: number;
  theme: 'day' | 'night';
  onTheme: (theme: 'day' | 'night') => void;
  onDirection: (d: Direction) => void;
  onLane: (lane: string) => void;
}

// No serial scanner configured is a normal set-up (wedge or camera): grey, not a warning.
const SCANNER_TONE = { ok: 'good', missing: 'bad', error: 'bad', off: 'muted', none: 'muted' } as const;

export function StatusBar({ status, clockOffsetMs, theme, onTheme, onDirection, onLane }: Props) {
  const { t, i18n } = useTranslation();
  const lang: Lang = i18n.language === 'en' ? 'en' : 'vi';
  const cp = status?.checkpoint;
  return (
    <header className="bar">
      <div className="bar__place">
        <div className="bar__name" data-testid="checkpoint-name">
          {cp ? (cp.name ?? cp.id) : '…'}
        </div>
        <div className="bar__area">
          {cp ? (
            <>
              <span className="bar__id">{cp.id}</span> · {cp.areaName ?? cp.area}
            </>
          ) : null}
        </div>
      </div>

      {status ? (
        <div className="bar__lane">
          {status.checkpoint.lanes.length > 1 ? (
            <fieldset className="seg" aria-label={t('lane')}>
              <span className="seg__label">{t('lane')}</span>
              {status.checkpoint.lanes.map((lane) => (
                <button
                  key={lane}
                  type="button"
                  className={lane === status.lane ? 'seg__btn seg__btn--on' : 'seg__btn'}
                  aria-pressed={lane === status.lane}
                  onClick={() => onLane(lane)}
                >
                  {lane}
                </button>
              ))}
            </fieldset>
          ) : (
            <span className="seg__label">
              {t('lane')} {status.lane}
            </span>
          )}
          <fieldset className="seg" data-testid="direction" data-direction={status.direction}>
            {(['in', 'out'] as const).map((d) => (
              <button
                key={d}
                type="button"
                data-testid={`direction-${d}`}
                className={
                  d === status.direction ? 'seg__btn seg__btn--on seg__btn--dir' : 'seg__btn seg__btn--dir'
                }
                aria-pressed={d === status.direction}
                onClick={() => onDirection(d)}
              >
                {d === 'in' ? t('dirIn') : t('dirOut')}
              </button>
            ))}
          </fieldset>
        </div>
      ) : null}

      <div className="bar__states">
        {status ? (
          <>
            <div
              className={`pill pill--${SCANNER_TONE[status.scanner.state]}`}
              data-testid="scanner-state"
              data-state={status.scanner.state}
              title={status.scanner.detail ?? status.scanner.path ?? ''}
            >
              <span className="pill__dot" aria-hidden="true" />
              {t('scanner')}: {t(`scannerState.${status.scanner.state}`)}
            </div>
            <UplinkPill uplink={status.uplink} />
          </>
        ) : null}
      </div>

      <Clock offsetMs={clockOffsetMs} />

      <div className="bar__switches">
        <button
          type="button"
          className="lang"
          data-testid="lang-toggle"
          data-lang={lang}
          aria-label={lang === 'vi' ? 'Switch to English' : 'Chuyển sang tiếng Việt'}
          onClick={() => setLang(lang === 'vi' ? 'en' : 'vi')}
        >
          <span className={lang === 'vi' ? 'lang__on' : ''}>VI</span>
          <span className={lang === 'en' ? 'lang__on' : ''}>EN</span>
        </button>
        <button
          type="button"
          className="theme"
          data-testid="theme-toggle"
          data-theme={theme}
          onClick={() => onTheme(theme === 'night' ? 'day' : 'night')}
        >
          {theme === 'night' ? t('themeDay') : t('themeNight')}
        </button>
      </div>
    </header>
  );
}

/**
 * Whether what this lane records reaches the command centre: the broker connection, the command
 * centre's own presence on it, and how much it has not yet confirmed (kept here until it does).
 */
function UplinkPill({ uplink }: { uplink: KioskStatus['uplink'] }) {
  const { t } = useTranslation();
  const cc = uplink.commandCentre ?? 'online';
  const state = !uplink.enabled
    ? 'disabled'
    : !uplink.connected
      ? 'disconnected'
      : cc === 'online'
        ? 'connected'
        : cc === 'offline'
          ? 'centre-offline'
          : 'centre-unknown';
  const tone = state === 'connected' ? 'good' : state === 'disabled' ? 'muted' : 'warn';
  const label = {
    connected: t('uplinkOn'),
    disabled: t('uplinkDisabled'),
    disconnected: t('uplinkOff'),
    'centre-offline': t('uplinkNoCentre'),
    'centre-unknown': t('uplinkWaiting'),
  }[state];
  return (
    <div
      className={`pill pill--${tone}`}
      data-testid="uplink-state"
      data-state={state}
      data-backlog={uplink.backlog}
    >
      <span className="pill__dot" aria-hidden="true" />
      {t('uplink')}: {label}
      {uplink.enabled && uplink.backlog > 0 ? (
        <span className="pill__extra">
          · {t('backlog', { count: uplink.backlog })}
          {uplink.oldestAt ? ` ${t('backlogSince', { time: since(uplink.oldestAt) })}` : ''}
        </span>
      ) : null}
    </div>
  );
}

/**
 * Under the status bar, in words: why the scanner cannot be used while it cannot, and the last thing
 * it sent that was not a code, for a minute by the kiosk's clock.
 */
export function ScannerNote({
  status,
  clockOffsetMs,
}: {
  status: KioskStatus | null;
  clockOffsetMs: number;
}) {
  const { t, i18n } = useTranslation();
  const now = useNow();
  const problem = scannerProblem(status);
  const diagnostic = recentDiagnostic(status, now + clockOffsetMs);
  if (!problem && !diagnostic) return null;
  const lang: Lang = i18n.language === 'en' ? 'en' : 'vi';
  return (
    <>
      {problem ? (
        <div
          className="scanner-note scanner-note--problem"
          role="status"
          data-testid="scanner-problem"
          data-state={status?.scanner.state}
        >
          <AlertIcon size="1.2em" />
          <span className="scanner-note__what">{t('scanKind.scannerProblem')}:</span>
          <span>{problem[lang]}</span>
        </div>
      ) : null}
      {diagnostic ? (
        <div
          className="scanner-note"
          role="status"
          data-testid="scanner-diagnostic"
          data-code={diagnostic.code}
        >
          <AlertIcon size="1.2em" />
          <span className="scanner-note__what">{t('scanKind.scannerSaid')}:</span>
          <span>{diagnostic[lang]}</span>
          <span className="scanner-note__time">{formatVnTime(diagnostic.at)}</span>
        </div>
      ) : null}
    </>
  );
}

/**
 * While the shared history may be incomplete (a lane or checkpoint of the area out of contact, or this
 * kiosk offline): who is silent, and what that means for the verdict, so a guard does not wonder why
 * "already inside" asks for a check instead of refusing.
 */
export function PeersNote({ status }: { status: KioskStatus | null }) {
  const { t } = useTranslation();
  const peers = status?.uplink.peers;
  if (!status || !peers || peers.complete) return null;
  const here = status.checkpoint.id;
  const names = peers.silent.map((p) => {
    const lane = t('peersLane', { lane: p.lane ?? p.kiosk });
    return p.checkpoint === here ? lane : `${t('peersCheckpoint', { checkpoint: p.checkpoint })} ${lane}`;
  });
  return (
    <div
      className="scanner-note"
      role="status"
      data-testid="peers-silent"
      data-silent={peers.silent.map((p) => `${p.checkpoint}/${p.kiosk}`).join(' ')}
    >
      <AlertIcon size="1.2em" />
      {names.length > 0 ? (
        <>
          <span className="scanner-note__what">{t('peersSilent')}:</span>
          <span>{names.join(', ')}</span>
        </>
      ) : (
        <span className="scanner-note__what">{t('peersOffline')}</span>
      )}
      <span className="scanner-note__time">{t('peersConsequence')}</span>
    </div>
  );
}

/** Across the screen while the log refuses writes: every passage goes on the paper log meanwhile. */
export function StoreBanner({ status }: { status: KioskStatus | null }) {
  const { t, i18n } = useTranslation();
  const store = storeFault(status);
  if (!store) return null;
  const lang: Lang = i18n.language === 'en' ? 'en' : 'vi';
  return (
    <div
      className="banner banner--store"
      role="alert"
      data-testid="store-fault"
      data-code={store.fault?.code ?? ''}
    >
      <PaperLogIcon size="1.3em" />
      <span>{t('scanKind.storeFault')}</span>
      {store.fault ? <span className="banner__detail">{store.fault[lang]}</span> : null}
      {store.since ? (
        <span className="banner__detail">
          {t('scanKind.storeSince')} {formatVnTime(store.since, false)}
        </span>
      ) : null}
    </div>
  );
}

/** The browser's clock, ticking each second (the kiosk's is this plus the offset). */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

function Clock({ offsetMs }: { offsetMs: number }) {
  const ms = useNow() + offsetMs;
  return (
    <div className="clock" data-testid="clock">
      <span className="clock__time">{formatVnTime(ms)}</span>
      <span className="clock__date">{formatVnDate(ms)}</span>
    </div>
  );
}

/** The time alone for today's backlog; the date too for an older one. */
function since(at: string): string {
  return Date.now() - Date.parse(at) < 20 * 3_600_000 ? formatVnTime(at, false) : formatVnDateTime(at);
}
