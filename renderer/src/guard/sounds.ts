// A distinct sound for each decision, made with the Web Audio API (no files: kiosks are offline and
// nothing needs bundling). The shapes differ in pitch, rhythm and timbre, not only in pitch, so they
// stay apart on a cheap speaker and for a guard who cannot tell notes apart:
//   ALLOW     two short rising sine notes        "ding-ding"      (pleasant, over quickly)
//   DENY      three low square-wave buzzes       "bzz bzz bzz"    (harsh, impossible to miss)
//   REVIEW    high-low-high triangle notes       "dee-da-dee"     (a call for attention)
//   DUPLICATE one soft low blip                  "tock"           (nothing new happened)
import { useEffect, useRef } from 'react';
import type { Verdict } from '../../../src/contract/api.js';

export type Cue = 'ALLOW' | 'DENY' | 'REVIEW' | 'DUPLICATE';

interface Tone {
  freq: number;
  ms: number;
  wave: OscillatorType;
  /** Silence after the tone. */
  gapMs: number;
  gain: number;
}

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
};

export function cueOf(v: Pick<Verdict, 'decision' | 'duplicate'>): Cue {
  return v.duplicate ? 'DUPLICATE' : v.decision;
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
    const key = `${verdict.at}|${verdict.passageId}|${verdict.duplicate}|${verdict.source}`;
    if (played.current === key) return;
    played.current = key;
    player.play(cueOf(verdict));
  }, [verdict, fresh]);
  return player;
}
