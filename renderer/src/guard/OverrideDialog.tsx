// The guard lets a DENY or REVIEW through: the verdict stays as it was; the reason is required, and a
// supervisor's name and PIN too when the policy says so (status.overrideRequiresSupervisor).
import { useEffect, useState } from 'react';
import type { KioskClient, Verdict } from '../../../src/contract/api.js';
import { Dialog, ReasonField, TextField } from './Dialog.js';
import { useGuardText } from './texts.js';

interface Props {
  client: KioskClient;
  verdict: Verdict;
  onDone: (override: NonNullable<Verdict['override']>) => void;
  onClose: () => void;
  onError: (err: unknown) => void;
}

export function OverrideDialog({ client, verdict, onDone, onClose, onError }: Props) {
  const { g, t, quickReasons } = useGuardText();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [needsSupervisor, setNeedsSupervisor] = useState(false);
  const [supName, setSupName] = useState('');
  const [supPin, setSupPin] = useState('');
  // The policy can change with a signed config document: read it when the dialog opens.
  useEffect(() => {
    let live = true;
    client
      .call('status.get', {})
      .then((s) => live && setNeedsSupervisor(s.overrideRequiresSupervisor === true))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [client]);
  const who = verdict.permit?.nam ?? verdict.person?.name ?? verdict.preview ?? '';
  const submit = async () => {
    if (verdict.passageId === null) return;
    setBusy(true);
    try {
      const r = await client.call('passage.override', {
        passageId: verdict.passageId,
        reason,
        ...(needsSupervisor ? { supervisor: { name: supName, pin: supPin } } : {}),
      });
      onDone({ at: r.at, by: r.by, reason: r.reason });
    } catch (err) {
      // The policy was switched on since the dialog opened: ask for the approval now.
      if ((err as { code?: unknown }).code === 'SUPERVISOR_REQUIRED') setNeedsSupervisor(true);
      if ((err as { code?: unknown }).code === 'SUPERVISOR_INVALID') setSupPin('');
      onError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title={g('overrideTitle')} testId="override-dialog" onClose={onClose}>
      <p className={`sheet__verdict sheet__verdict--${verdict.decision.toLowerCase()}`}>
        <strong>{t(`decision.${verdict.decision}`)}</strong> · {who}
        {verdict.reasons.length > 0 ? ` · ${verdict.reasons.map((r) => t(`reason.${r}`)).join('; ')}` : ''}
      </p>
      <p className="sheet__hint">{g('overrideHint')}</p>
      <ReasonField
        value={reason}
        onChange={setReason}
        label={g('reason')}
        quick={quickReasons}
        quickLabel={g('quick')}
        countLabel={(count) => g('reasonCount', { count })}
        testId="override-reason"
      />
      {needsSupervisor ? (
        <fieldset className="supervisor-approval" data-testid="override-supervisor">
          <legend className="field__label">{g('supervisorApproval')}</legend>
          <TextField
            label={g('supervisorName')}
            testId="override-supervisor-name"
            value={supName}
            onChange={setSupName}
            maxLength={64}
            autoCapitalize="none"
          />
          <TextField
            label={g('supervisorPin')}
            testId="override-supervisor-pin"
            value={supPin}
            onChange={setSupPin}
            maxLength={64}
            type="password"
            inputMode="numeric"
          />
        </fieldset>
      ) : null}
      <div className="sheet__actions">
        <button type="button" className="big big--plain" onClick={onClose} data-testid="override-cancel">
          {g('cancel')}
        </button>
        <button
          type="button"
          className="big big--allow"
          disabled={busy}
          onClick={() => void submit()}
          data-testid="override-confirm"
        >
          {g('confirmOverride')}
        </button>
      </div>
    </Dialog>
  );
}
