// Reading what kiosks publish (spec/mqtt.md v2): the topic names the kiosk under its checkpoint, the
// payload must pass its schema from src/contract/mqtt.ts, and the two must agree on who sent it.
// Anything else is a rejection with a reason, counted and dropped: it is never held, so never receipted.
import { AREA_CODE } from '../../src/contract/checkpoint.js';
import {
  AckPayload,
  AnyStatusPayload,
  EventPayload,
  type NumberedPayload,
  PassagePayload,
  SummaryPayload,
} from '../../src/contract/mqtt.js';
import { parseKioskTopic, type TopicScope } from '../../src/contract/mqtt-topics.js';

/** No kiosk message comes near this; a bigger one is refused before parsing. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;
const CHECKPOINT_ID = /^[A-Za-z0-9_.-]{1,32}$/;

export type Incoming =
  | { kind: 'numbered'; scope: TopicScope; payload: NumberedPayload }
  | { kind: 'status'; scope: TopicScope; payload: AnyStatusPayload }
  | { kind: 'rejected'; reason: RejectReason };

/** `scope`: the body names another district, checkpoint or kiosk than its topic. */
export type RejectReason = 'topic' | 'too-large' | 'json' | 'schema' | 'scope';

const SCHEMAS = {
  summary: SummaryPayload,
  event: EventPayload,
  ack: AckPayload,
  passage: PassagePayload,
  status: AnyStatusPayload,
} as const;

/** `ckpt/v2/{d}/{c}/{k}/{kind}` with a district code and a checkpoint id that the config schema allows. */
export function kioskTopicOf(topic: string): (TopicScope & { kind: keyof typeof SCHEMAS }) | null {
  const t = parseKioskTopic(topic);
  if (!t || !AREA_CODE.test(t.district) || !CHECKPOINT_ID.test(t.checkpoint) || t.checkpoint === 'all') {
    return null;
  }
  return t;
}

/** Classifies one MQTT message. */
export function classify(topic: string, payload: Uint8Array): Incoming {
  const t = kioskTopicOf(topic);
  if (!t) return { kind: 'rejected', reason: 'topic' };
  if (payload.byteLength > MAX_PAYLOAD_BYTES) return { kind: 'rejected', reason: 'too-large' };
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch {
    return { kind: 'rejected', reason: 'json' };
  }
  const parsed = SCHEMAS[t.kind].safeParse(json);
  if (!parsed.success) return { kind: 'rejected', reason: 'schema' };
  const scope: TopicScope = { district: t.district, checkpoint: t.checkpoint, kiosk: t.kiosk };
  // Every v2 body names its kiosk: one that disagrees with its topic could count, or receipt, under
  // another kiosk's identity.
  if (parsed.data.kiosk !== scope.kiosk) return { kind: 'rejected', reason: 'scope' };
  if (t.kind === 'status') return { kind: 'status', scope, payload: parsed.data as AnyStatusPayload };
  const p = parsed.data as NumberedPayload;
  if (p.schema === 'ckpt.summary/2') {
    if (p.checkpoint !== scope.checkpoint || p.district !== scope.district) {
      return { kind: 'rejected', reason: 'scope' };
    }
    if (
      p.id !== `${p.checkpoint}:${p.kiosk}:${p.windowStart}` ||
      Date.parse(p.windowEnd) <= Date.parse(p.windowStart)
    ) {
      return { kind: 'rejected', reason: 'schema' };
    }
  }
  return { kind: 'numbered', scope, payload: p };
}
