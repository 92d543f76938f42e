// The scan screen: status bar on top, the verdict filling most of the screen with the recent scans in a
// strip beneath it, a narrow side column with the counts and the lane's tools.
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { UiClient } from './api/client.js';
import { Counts, DemoPanel, RecentList } from './components/Sidebar.js';
import { PeersNote, ScannerNote, StatusBar, StoreBanner } from './components/StatusBar.js';
import { VerdictPanel } from './components/VerdictPanel.js';
import { LaneTools, useLane } from './guard/LaneTools.js';
import { AuthGate } from './login/AuthGate.js';
import { usePaintedMark } from './painted-mark.js';
import { useTheme } from './theme.js';
import { fadeDelayMs, useKiosk } from './useKiosk.js';

/** The view switch by role: login → guard's scan screen / supervisor's or admin's desk. */
export function App({ ui }: { ui: UiClient }) {
  return <AuthGate ui={ui} scanScreen={(u) => <ScanScreen ui={u} />} />;
}

function ScanScreen({ ui }: { ui: UiClient }) {
  const { t, i18n } = useTranslation();
  const fadeMs = useMemo(() => fadeDelayMs(window.location.search), []);
  const { state, setDirection, setLane, submitDemo, clearError, showVerdict, fail } = useKiosk(ui, fadeMs);
  // The guard's lane: wedge and camera scans, sounds, vehicle, manual entry, overrides.
  const lane = useLane(ui.client, state.current, state.fresh, showVerdict, fail);
  // A performance mark once each verdict is painted: the bench times the guard's wait by it.
  usePaintedMark(state.fresh ? state.current : null);
  const [theme, setTheme] = useTheme();
  const lang = i18n.language === 'en' ? 'en' : 'vi';
  // A short grace period so the banner does not flash while the page's first connection opens.
  const [showLost, setShowLost] = useState(false);
  useEffect(() => {
    if (state.connected) {
      setShowLost(false);
      return;
    }
    const timer = setTimeout(() => setShowLost(true), 1000);
    return () => clearTimeout(timer);
  }, [state.connected]);

  return (
    <div className="app">
      {showLost ? (
        <div className="banner" role="alert" data-testid="connection-lost">
          {t('connectionLost')}
        </div>
      ) : null}
      <StoreBanner status={state.status} />
      <StatusBar
        status={state.status}
        clockOffsetMs={state.clockOffsetMs}
        theme={theme}
        onTheme={setTheme}
        onDirection={(d) => void setDirection(d)}
        onLane={(l) => void setLane(l)}
      />
      <ScannerNote status={state.status} clockOffsetMs={state.clockOffsetMs} />
      <PeersNote status={state.status} />
      <main className="main">
        {/* The recent scans under the verdict, always in view: the side column scrolls with its tools. */}
        <div className="main__verdict">
          <VerdictPanel
            verdict={lane.withOverride(state.current)}
            fresh={state.fresh}
            onOverride={lane.startOverride}
          />
          <RecentList verdicts={state.recent} />
        </div>
        <aside className="side">
          <Counts counts={state.status?.counts ?? null} />
          {/* In the demo the sample buttons come first, so a newcomer finds them without scrolling. */}
          {state.status?.demo ? (
            <DemoPanel samples={state.samples} onScan={(text) => void submitDemo(text)} />
          ) : null}
          <LaneTools
            client={ui.client}
            status={state.status}
            manual={lane.manual}
            setManual={lane.setManual}
            show={showVerdict}
            submit={lane.submit}
            fail={fail}
          />
        </aside>
      </main>
      {lane.dialogs}
      {state.error ? (
        <div className="toast" role="alert" data-testid="error">
          <span>{state.error[lang]}</span>
          <button type="button" className="toast__close" onClick={clearError} aria-label="OK">
            OK
          </button>
        </div>
      ) : null}
    </div>
  );
}
