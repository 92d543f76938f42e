// The lane's tools beside the verdict: vehicle entry, manual entry, the camera, and the wedge scanner
// and sounds wired to the kiosk. One component so the scan screen (App.tsx) adds the lane in one line.
import { useCallback, useState } from 'react';
import type { KioskClient, KioskStatus, Verdict } from '../../../src/contract/api.js';
import { CameraPanel } from './CameraPanel.js';
import { ManualEntry } from './ManualEntry.js';
import { OverrideDialog } from './OverrideDialog.js';
import { useVerdictSound } from './sounds.js';
import { useGuardText } from './texts.js';
import { useWedge } from './useWedge.js';
import { VehicleCard } from './VehicleCard.js';
import './guard.css';

export interface LaneState {
  /** The verdict being overridden (the dialog is open), or null. */
  overriding: Verdict | null;
  /** Overrides made on this screen, by passage id, shown on the verdict at once. */
  overrides: ReadonlyMap<number, NonNullable<Verdict['override']>>;
}

/** Lane state the scan screen shares between the verdict panel and the tools. */
export function useLane(
  client: KioskClient,
  current: Verdict | null,
  fresh: boolean,
  show: (v: Verdict) => void,
  fail: (err: unknown) => void,
) {
  const [overriding, setOverriding] = useState<Verdict | null>(null);
  const [overrides, setOverrides] = useState<Map<number, NonNullable<Verdict['override']>>>(new Map());
  const [manual, setManual] = useState(false);

  const submit = useCallback(
    async (text: string, source: 'wedge' | 'camera') => {
      try {
        show(await client.call('scan.submit', { text, source }));
      } catch (err) {
        fail(err);
      }
    },
    [client, show, fail],
  );
  useWedge((text) => void submit(text, 'wedge'));
  useVerdictSound(current, fresh);

  const withOverride = (v: Verdict | null): Verdict | null => {
    // Only a passage (or its duplicate) can be let through; a health proof only names one.
    if (!v || v.passageId === null || (v.kind !== 'passage' && v.kind !== 'duplicate')) return v;
    const o = overrides.get(v.passageId);
    return o ? { ...v, override: o } : v;
  };

  return {
    submit,
    withOverride,
    startOverride: (v: Verdict) => setOverriding(v),
    dialogs: (
      <>
        {overriding ? (
          <OverrideDialog
            client={client}
            verdict={overriding}
            onClose={() => setOverriding(null)}
            onError={fail}
            onDone={(o) => {
              if (overriding.passageId !== null)
                setOverrides((m) => new Map(m).set(overriding.passageId as number, o));
              setOverriding(null);
            }}
          />
        ) : null}
      </>
    ),
    manual,
    setManual,
  };
}

interface ToolsProps {
  client: KioskClient;
  status: KioskStatus | null;
  manual: boolean;
  setManual: (open: boolean) => void;
  show: (v: Verdict) => void;
  submit: (text: string, source: 'wedge' | 'camera') => Promise<void>;
  fail: (err: unknown) => void;
}

/** The side column's lane cards: vehicle, then manual entry and the camera. */
export function LaneTools({ client, status, manual, setManual, show, submit, fail }: ToolsProps) {
  const { g } = useGuardText();
  const [camera, setCamera] = useState(false);
  return (
    <>
      <VehicleCard client={client} pending={status?.vehicle ?? null} onError={fail} />
      <section className="card tools" aria-label={g('actions')}>
        <button
          type="button"
          className="big big--accent tool"
          data-testid="manual-open"
          onClick={() => setManual(true)}
        >
          <span className="tool__main">{g('manual')}</span>
          <span className="tool__sub">{g('manualSub')}</span>
        </button>
        <button
          type="button"
          className={`big tool ${camera ? 'big--accent' : 'big--plain'}`}
          data-testid="camera-open"
          aria-pressed={camera}
          onClick={() => setCamera((c) => !c)}
        >
          <span className="tool__main">{g('camera')}</span>
          <span className="tool__sub">{g('cameraSub')}</span>
        </button>
      </section>
      {camera ? <CameraPanel onScan={(text) => void submit(text, 'camera')} /> : null}
      {manual ? (
        <ManualEntry
          client={client}
          vehicle={status?.vehicle ?? null}
          onClose={() => setManual(false)}
          onError={fail}
          onDone={(v) => {
            setManual(false);
            show(v);
          }}
        />
      ) : null}
    </>
  );
}
