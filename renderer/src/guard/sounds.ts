// A distinct sound for each kind of verdict, made with the Web Audio API (no files: kiosks are offline
// and nothing needs bundling). The shapes differ in pitch, rhythm and timbre, not only in pitch, so
// they stay apart on a cheap speaker and for a guard who cannot tell notes apart:
//   ALLOW        two short rising sine notes         "ding-ding"      (pleasant, over quickly)
//   DENY         three low square-wave buzzes        "bzz bzz bzz"    (harsh, impossible to miss)
//   REVIEW       high-low-high triangle notes        "dee-da-dee"     (a call for attention)
//   DUPLICATE    one soft low blip                   "tock"           (nothing new happened)
//   HEALTH_OK    two level triangle pips             "pip-pip"        (proof noted: now the permit)
//   HEALTH_BAD   two falling low triangle notes      "uh-oh"          (this proof does not count)
//   NO_SHIFT     a slow falling sine pair, twice     "ding-dong ×2"   (nobody on duty: log in)
//   NOT_RECORDED a fast high-low sawtooth warble     "wee-woo-wee..." (a fault: use the paper log)
// A health certificate is never a passage (spec/policy.md "What is counted"): its cues are its own and
// never the ALLOW chime. A proof that completes a passage turns the screen to ALLOW: the chime follows.
import { useEffect, useRef } from 'react';
import type { Verdict } from '../../../src/contract/api.js';

export type Cue =
  | 'ALLOW'
  | 'DENY'
  | 'REVIEW'
  | 'DUPLICATE'
  | 'HEALTH_OK'
  | 'HEALTH_BAD'
  | 'NO_SHIFT'
  | 'NOT_RECORDED';

export interface Tone {
  freq: number;
  ms: number;
  wave: OscillatorType;
  /** Silence after the tone. */
  gapMs: number;
  gain: number;
}

const warble = (n: number): Tone[] =>
  Array.from({ length: n }, (_, i) => ({
    freq: i % 2 === 0 ? 1245 : 622,
    ms: 95,
    wave: 'sawtooth' as const,
    gapMs: 0,
    gain: 0.22,
  }));

export const CUES: Readonly<Record<Cue, readonly Tone[]>> = {
  ALLOW: [
    { freq: 784, ms: 90, wave: 'sine', gapMs: 30, gain: 0.5 },
    { freq: 1175, ms: 160, wave: 'sine', gapMs: 0, gain: 0.5 },
  ],
  DENY: [
    { freq: 196, ms: 170, wave: 'square', gapMs: 70, gain: 0.28 },
    { freq: 196, ms: 170, wave: 'square', gapMs: 70, gain: 0.28 },
    { freq: 185, ms: 260, wave: 'square', gapMs: 0, gain: 0.28 },
  ],
  REVIEW: [
    { freq: 988, ms: 140, wave: 'triangle', gapMs: 40, gain: 0.55 },
    { freq: 659, ms: 140, wave: 'triangle', gapMs: 40, gain: 0.55 },
    { freq: 988, ms: 200, wave: 'triangle', gapMs: 0, gain: 0.55 },
  ],
  DUPLICATE: [{ freq: 330, ms: 70, wave: 'sine', gapMs: 0, gain: 0.35 }],
  HEALTH_OK: [
    { freq: 698, ms: 70, wave: 'triangle', gapMs: 90, gain: 0.5 },
    { freq: 698, ms: 70, wave: 'triangle', gapMs: 0, gain: 0.5 },
  ],
  HEALTH_BAD: [
    { freq: 392, ms: 200, wave: 'triangle', gapMs: 60, gain: 0.6 },
    { freq: 262, ms: 320, wave: 'triangle', gapMs: 0, gain: 0.6 },
  ],
  NO_SHIFT: [
    { freq: 659, ms: 260, wave: 'sine', gapMs: 40, gain: 0.5 },
    { freq: 523, ms: 380, wave: 'sine', gapMs: 260, gain: 0.5 },
    { freq: 659, ms: 260, wave: 'sine', gapMs: 40, gain: 0.5 },
    { freq: 523, ms: 380, wave: 'sine', gapMs: 0, gain: 0.5 },
  ],
  NOT_RECORDED: warble(10),
};

/** A proof that counts: valid on its own and, beside a permit, the same person. */
export function proofCounts(v: Pick<Verdict, 'decision' | 'health'>): boolean {
  return v.decision === 'ALLOW' && (v.health?.reasons.length ?? 0) === 0 && v.health?.nameMatch !== false;
}

export function cueOf(v: Pick<Verdict, 'kind' | 'decision' | 'duplicate' | 'health'>): Cue {
  switch (v.kind) {
    case 'duplicate':
      return 'DUPLICATE';
    case 'health-proof':
      return proofCounts(v) ? 'HEALTH_OK' : 'HEALTH_BAD';
    case 'no-shift':
      return 'NO_SHIFT';
    case 'not-recorded':
      return 'NOT_RECORDED';
    case 'passage':
    case 'unreadable':
      // A verdict from an older kiosk may say duplicate only by its flag.
      return v.duplicate ? 'DUPLICATE' : v.decision;
  }
}

type AudioCtor = typeof AudioContext;

export class SoundPlayer {
  private ctx: AudioContext | null = null;
  muted = false;

  private context(): AudioContext | null {
    if (this.ctx) return this.ctx;
    const Ctor: AudioCtor | undefined =
      window.AudioContext ?? (window as unknown as { webkitAudioContext?: AudioCtor }).webkitAudioContext;
    if (!Ctor) return null;
    this.ctx = new Ctor();
    return this.ctx;
  }

  /** Browsers start audio suspended until a gesture: call from the first tap or key. */
  unlock(): void {
    const ctx = this.context();
    if (ctx && ctx.state === 'suspended') void ctx.resume().catch(() => {});
  }

  play(cue: Cue): void {
    // Tests and the supervisor can see which cue sounded even where no speaker is attached.
    const root = document.documentElement;
    root.dataset.lastSound = cue;
    root.dataset.soundCount = String(Number(root.dataset.soundCount ?? '0') + 1);
    if (this.muted) return;
    const ctx = this.context();
    if (!ctx) return;
    if (ctx.state === 'suspended') void ctx.resume().catch(() => {});
    let t = ctx.currentTime + 0.01;
    for (const tone of CUES[cue]) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = tone.wave;
      osc.frequency.value = tone.freq;
      const end = t + tone.ms / 1000;
      // Short ramps: no click at the start or end of a note.
      gain.gain.setValueAtTime(0, t);
      gain.gain.linearRampToValueAtTime(tone.gain, t + 0.008);
      gain.gain.setValueAtTime(tone.gain, end - 0.015);
      gain.gain.linearRampToValueAtTime(0, end);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t);
      osc.stop(end + 0.01);
      t = end + tone.gapMs / 1000;
    }
  }
}

const player = new SoundPlayer();

/** Plays the verdict's cue once per new verdict; unlocks audio on the first touch or key. */
export function useVerdictSound(verdict: Verdict | null, fresh: boolean): SoundPlayer {
  const played = useRef<string | null>(null);
  useEffect(() => {
    const unlock = () => player.unlock();
    window.addEventListener('pointerdown', unlock, { capture: true });
    window.addEventListener('keydown', unlock, { capture: true });
    return () => {
      window.removeEventListener('pointerdown', unlock, { capture: true });
      window.removeEventListener('keydown', unlock, { capture: true });
    };
  }, []);
  useEffect(() => {
    if (!verdict || !fresh) return;
    const key = `${verdict.at}|${verdict.kind}|${verdict.passageId}|${verdict.duplicate}|${verdict.source}`;
    if (played.current === key) return;
    played.current = key;
    player.play(cueOf(verdict));
  }, [verdict, fresh]);
  return player;
}
