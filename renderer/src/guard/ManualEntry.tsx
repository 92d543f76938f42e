// Recording by hand a person with no QR: name, ID number, purpose, why; then the guard decides. The
// vehicle entered in the vehicle card goes with it. Fields are checked here with the kiosk's own rules
// (src/contract/manual-entry.ts) so the guard sees a problem before sending; the kiosk checks again.
import { useState } from 'react';
import type { KioskClient, KioskStatus, Verdict } from '../../../src/contract/api.js';
import { KioskError } from '../../../src/contract/errors.js';
import { checkManualPerson } from '../../../src/contract/manual-entry.js';
import { PURPOSES, VEHICLE_TYPES } from '../../../src/contract/reasons.js';
import { Dialog, ReasonField, TextField } from './Dialog.js';
import { useGuardText } from './texts.js';

const isVehicleType = (t: string): t is (typeof VEHICLE_TYPES)[number] =>
  (VEHICLE_TYPES as readonly string[]).includes(t);

interface Props {
  client: KioskClient;
  vehicle: KioskStatus['vehicle'];
  onDone: (verdict: Verdict) => void;
  onClose: () => void;
  onError: (err: unknown) => void;
}

export function ManualEntry({ client, vehicle, onDone, onClose, onError }: Props) {
  const { g, t, lang, quickReasons } = useGuardText();
  const [name, setName] = useState('');
  const [idNumber, setIdNumber] = useState('');
  const [purpose, setPurpose] = useState<(typeof PURPOSES)[number] | null>(null);
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (letThrough: boolean) => {
    try {
      checkManualPerson({ name, idNumber, purpose: purpose ?? '', reason });
    } catch (err) {
      if (err instanceof KioskError) {
        setProblem(err[lang]);
        return;
      }
      throw err;
    }
    setProblem(null);
    setBusy(true);
    try {
      const v = await client.call('manual.record', {
        name,
        idNumber,
        purpose: purpose ?? 'other',
        reason,
        letThrough,
        ...(vehicle?.plate ? { plate: vehicle.plate } : {}),
        ...(vehicle?.type && isVehicleType(vehicle.type) ? { vehicleType: vehicle.type } : {}),
        ...(vehicle?.passengers ? { passengers: vehicle.passengers } : {}),
      });
      onDone(v);
    } catch (err) {
      onError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title={g('manualTitle')} testId="manual-dialog" onClose={onClose}>
      <p className="sheet__hint">{g('manualHint')}</p>
      <div className="sheet__grid">
        <TextField label={g('name')} testId="manual-name" value={name} onChange={setName} maxLength={100} />
        <TextField
          label={g('idNumber')}
          testId="manual-id"
          value={idNumber}
          onChange={setIdNumber}
          maxLength={20}
        />
      </div>
      <span className="field__label">{g('purpose')}</span>
      <div className="chips">
        {PURPOSES.map((p) => (
          <button
            key={p}
            type="button"
            className={`chip${purpose === p ? ' chip--on' : ''}`}
            aria-pressed={purpose === p}
            data-testid={`manual-purpose-${p}`}
            onClick={() => setPurpose(p)}
          >
            {t(`purposes.${p}`)}
          </button>
        ))}
      </div>
      <ReasonField
        value={reason}
        onChange={setReason}
        label={g('reason')}
        quick={quickReasons}
        quickLabel={g('quick')}
        countLabel={(count) => g('reasonCount', { count })}
        testId="manual-reason"
      />
      {vehicle ? (
        <p className="sheet__hint" data-testid="manual-vehicle">
          {g('vehicle')}: {vehicle.plate ?? ''} {vehicle.type ? t(`vehicles.${vehicle.type}`) : ''}
          {vehicle.passengers ? ` · ${g('withPassengers', { count: vehicle.passengers })}` : ''}
        </p>
      ) : null}
      {problem ? (
        <p className="sheet__problem" role="alert" data-testid="manual-problem">
          {problem}
        </p>
      ) : null}
      <div className="sheet__actions">
        <button type="button" className="big big--plain" onClick={onClose} data-testid="manual-cancel">
          {g('cancel')}
        </button>
        <button
          type="button"
          className="big big--deny"
          disabled={busy}
          onClick={() => void submit(false)}
          data-testid="manual-refuse"
        >
          {g('refuse')}
        </button>
        <button
          type="button"
          className="big big--allow"
          disabled={busy}
          onClick={() => void submit(true)}
          data-testid="manual-allow"
        >
          {g('letIn')}
        </button>
      </div>
    </Dialog>
  );
}
