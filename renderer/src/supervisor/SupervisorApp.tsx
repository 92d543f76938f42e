// The supervisor's desk: shifts, search, denials and overrides, flow, verify log, system log; a header
// with the checkpoint, who is logged in, the language switch and logout.
import { type ReactNode, useState } from 'react';
import type { KioskClient, KioskStatus } from '../../../src/contract/api.js';
import type { SessionView } from '../../../src/contract/api-audit.js';
import { setLang } from '../i18n.js';
import { EventsView } from './EventsView.js';
import { FlowView } from './FlowView.js';
import { ReviewView } from './ReviewView.js';
import { SearchView } from './SearchView.js';
import { ShiftsView } from './ShiftsView.js';
import { systemNotes } from './system-notes.js';
import { type SupText, useSupText } from './texts.js';
import { VerifyView } from './VerifyView.js';
import './supervisor.css';

type Tab = keyof SupText['tabs'];
const TABS: Tab[] = ['shifts', 'search', 'review', 'flow', 'verify', 'events'];

export interface DeskProps {
  client: KioskClient;
  session: SessionView;
  status: KioskStatus | null;
  onLogout: () => void;
  onError: (err: unknown) => void;
}

export function DeskHeader({
  title,
  session,
  status,
  onLogout,
  children,
}: Omit<DeskProps, 'client' | 'onError'> & { title: string; children?: ReactNode }) {
  const { t, lang } = useSupText();
  const cp = status?.checkpoint;
  const notes = systemNotes(status, lang);
  return (
    <>
      <header className="desk__head">
        <div>
          <div className="desk__title">{title}</div>
          <div className="desk__place">{cp ? `${cp.name ?? cp.id} · ${cp.areaName ?? cp.area}` : ''}</div>
        </div>
        {children}
        <div className="desk__user">
          <span data-testid="desk-user">{session.user.displayName}</span>
          <button
            type="button"
            className="btn"
            onClick={() => setLang(lang === 'vi' ? 'en' : 'vi')}
            data-testid="lang-switch"
          >
            {t.switchLang}
          </button>
          <button type="button" className="btn" onClick={onLogout} data-testid="logout">
            {t.logout}
          </button>
        </div>
      </header>
      {notes.map((n) => (
        <div
          key={n.kind}
          className={`desk__note desk__note--${n.tone}`}
          role="status"
          data-testid={`system-${n.kind}`}
        >
          <span>{n.text}</span>
          {n.fraction !== null ? <progress max={1} value={n.fraction} /> : null}
        </div>
      ))}
    </>
  );
}

export function SupervisorApp(props: DeskProps) {
  const { t } = useSupText();
  const [tab, setTab] = useState<Tab>('shifts');
  const { client, onError } = props;
  const nowMs = props.status ? Date.parse(props.status.now) : Date.now();
  return (
    <div className="desk" data-testid="supervisor-app">
      <DeskHeader
        title={t.appTitle}
        session={props.session}
        status={props.status}
        onLogout={props.onLogout}
      />
      <div className="desk__tabs" role="tablist">
        {TABS.map((k) => (
          <button
            key={k}
            type="button"
            role="tab"
            aria-selected={tab === k}
            className={`desk__tab${tab === k ? ' desk__tab--on' : ''}`}
            data-testid={`tab-${k}`}
            onClick={() => setTab(k)}
          >
            {t.tabs[k]}
          </button>
        ))}
      </div>
      <main className="desk__main">
        {tab === 'shifts' ? <ShiftsView client={client} onError={onError} /> : null}
        {tab === 'search' ? <SearchView client={client} onError={onError} /> : null}
        {tab === 'review' ? <ReviewView client={client} onError={onError} /> : null}
        {tab === 'flow' ? <FlowView client={client} nowMs={nowMs} onError={onError} /> : null}
        {tab === 'verify' ? <VerifyView client={client} onError={onError} /> : null}
        {tab === 'events' ? <EventsView client={client} onError={onError} /> : null}
      </main>
    </div>
  );
}
