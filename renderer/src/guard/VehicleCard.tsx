// Vehicle entry for the next scan, in as few taps as possible: one tap for the type (or none: typing
// the plate picks it), the plate checked as it is typed, passengers with − and +. Each valid change is
// handed to the kiosk (`lane.vehicle`), so a scan from any scanner takes it; a scan clears it.
import { useEffect, useRef, useState } from 'react';
import type { KioskClient, KioskStatus } from '../../../src/contract/api.js';
import { PLATE_HINT, parsePlate } from '../../../src/contract/plate.js';
import { useGuardText } from './texts.js';

export const VEHICLE_CHOICES = ['motorbike', 'car', 'truck', 'bicycle', 'other'] as const;
type VehicleChoice = (typeof VEHICLE_CHOICES)[number];

interface Props {
  client: KioskClient;
  pending: KioskStatus['vehicle'];
  onError: (err: unknown) => void;
}

export function VehicleCard({ client, pending, onError }: Props) {
  const { g, t, lang } = useGuardText();
  const [type, setType] = useState<VehicleChoice | null>(null);
  const [typeChosen, setTypeChosen] = useState(false);
  const [plate, setPlate] = useState('');
  const [passengers, setPassengers] = useState(0);
  const sent = useRef<string>('{}');
  const hadPending = useRef(false);

  const parsed = plate.trim() === '' ? null : parsePlate(plate, type);
  const plateBad = plate.trim() !== '' && parsed === null;
  // Typing a plate picks the type, unless the guard chose one.
  const effectiveType: VehicleChoice | null = typeChosen ? type : (parsed?.impliedType ?? type);

  // The kiosk took the vehicle with a scan (or it expired): start afresh for the next one.
  useEffect(() => {
    const has = pending != null;
    if (hadPending.current && !has) {
      setType(null);
      setTypeChosen(false);
      setPlate('');
      setPassengers(0);
      sent.current = '{}';
    }
    hadPending.current = has;
  }, [pending]);

  // A plate being typed and not yet valid is not sent: the scan then records no plate, never a wrong
  // half-typed one.
  const entryKey = JSON.stringify({
    ...(parsed ? { plate: parsed.display } : {}),
    ...(effectiveType ? { vehicleType: effectiveType } : {}),
    ...(passengers > 0 ? { passengers } : {}),
  });
  useEffect(() => {
    if (entryKey === sent.current) return;
    const timer = setTimeout(() => {
      sent.current = entryKey;
      client.call('lane.vehicle', JSON.parse(entryKey)).catch(onError);
    }, 150);
    return () => clearTimeout(timer);
  }, [client, entryKey, onError]);

  const clear = () => {
    setType(null);
    setTypeChosen(false);
    setPlate('');
    setPassengers(0);
  };

  return (
    <section className="card vehicle" data-testid="vehicle-card" aria-label={g('vehicle')}>
      <div className="vehicle__head">
        <h2 className="card__title">{g('vehicle')}</h2>
        <button type="button" className="vehicle__clear" data-testid="vehicle-clear" onClick={clear}>
          {g('clear')}
        </button>
      </div>
      <div className="vehicle__types">
        <button
          type="button"
          className={`vbtn${effectiveType === null ? ' vbtn--on' : ''}`}
          aria-pressed={effectiveType === null}
          data-testid="vehicle-none"
          onClick={() => {
            setType(null);
            setTypeChosen(true);
            setPlate('');
          }}
        >
          {g('onFoot')}
        </button>
        {VEHICLE_CHOICES.map((v) => (
          <button
            key={v}
            type="button"
            className={`vbtn${effectiveType === v ? ' vbtn--on' : ''}`}
            aria-pressed={effectiveType === v}
            data-testid={`vehicle-${v}`}
            onClick={() => {
              setType(v);
              setTypeChosen(true);
              if (v === 'bicycle') setPlate('');
            }}
          >
            {t(`vehicles.${v}`)}
          </button>
        ))}
      </div>
      {effectiveType !== 'bicycle' ? (
        <label className="vehicle__plate">
          <span className="vehicle__label">{g('plate')}</span>
          <input
            data-testid="plate-input"
            className={`plate${plateBad ? ' plate--bad' : ''}`}
            value={plate}
            maxLength={20}
            autoComplete="off"
            spellCheck={false}
            placeholder={g('platePlaceholder')}
            aria-invalid={plateBad}
            onChange={(e) => setPlate(e.target.value.toUpperCase())}
          />
        </label>
      ) : null}
      {plateBad ? (
        <p className="vehicle__error" role="alert" data-testid="plate-error">
          {PLATE_HINT[lang]}
        </p>
      ) : parsed ? (
        <p className="vehicle__ok" data-testid="plate-display">
          {parsed.display}
        </p>
      ) : null}
      <div className="vehicle__row">
        <span className="vehicle__label">{g('passengers')}</span>
        <div className="stepper">
          <button
            type="button"
            className="stepper__btn"
            aria-label={g('fewer')}
            data-testid="passengers-minus"
            disabled={passengers === 0}
            onClick={() => setPassengers((n) => Math.max(0, n - 1))}
          >
            −
          </button>
          <output className="stepper__value" data-testid="passengers">
            {passengers}
          </output>
          <button
            type="button"
            className="stepper__btn"
            aria-label={g('more')}
            data-testid="passengers-plus"
            onClick={() => setPassengers((n) => Math.min(60, n + 1))}
          >
            +
          </button>
        </div>
      </div>
      <p
        className={`vehicle__state${pending ? ' vehicle__state--on' : ''}`}
        data-testid="vehicle-pending"
        data-pending={pending ? 'true' : 'false'}
      >
        {plateBad ? g('notSent') : pending ? `✓ ${g('nextScan')}` : '\u00a0'}
      </p>
    </section>
  );
}
