// Reading what kiosks publish: the topic names the checkpoint, the payload must pass its schema from
// src/contract/mqtt.ts. Anything else is a rejection with a reason, counted and dropped.
import { AREA_CODE } from '../../src/contract/checkpoint.js';
import {
  AckPayload,
  AnyStatusPayload,
  EventPayload,
  type SummaryPayload,
  SummaryPayload as SummarySchema,
} from '../../src/contract/mqtt.js';
import type { TopicScope } from '../../src/contract/mqtt-topics.js';

/** No kiosk message comes near this; a bigger one is refused before parsing. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;
const CHECKPOINT_ID = /^[A-Za-z0-9_.-]{1,32}$/;

export type Incoming =
  | { kind: 'summary'; scope: TopicScope; payload: SummaryPayload }
  | { kind: 'event'; scope: TopicScope; payload: EventPayload }
  | { kind: 'ack'; scope: TopicScope; payload: AckPayload }
  | { kind: 'status'; scope: TopicScope; payload: AnyStatusPayload }
  | { kind: 'rejected'; reason: RejectReason };

export type RejectReason = 'topic' | 'too-large' | 'json' | 'schema' | 'scope' | 'too-old';

const SCHEMAS = {
  summary: SummarySchema,
  event: EventPayload,
  ack: AckPayload,
  status: AnyStatusPayload,
} as const;

/** `ckpt/v1/{d}/{c}/{kind}` with a district code and a checkpoint id that the config schema allows. */
export function parseKioskTopic(
  topic: string,
): { scope: TopicScope; kind: 'summary' | 'event' | 'ack' | 'status' } | null {
  const parts = topic.split('/');
  if (parts.length !== 5 || parts[0] !== 'ckpt' || parts[1] !== 'v1') return null;
  const [, , district, checkpoint, kind] = parts as [string, string, string, string, string];
  if (!AREA_CODE.test(district) || !CHECKPOINT_ID.test(checkpoint) || checkpoint === 'all') return null;
  if (kind !== 'summary' && kind !== 'event' && kind !== 'ack' && kind !== 'status') return null;
  return { scope: { district, checkpoint }, kind };
}

/** Classifies one MQTT message; `horizonMs`: summaries and events older than this are refused. */
export function classify(topic: string, payload: Uint8Array, horizonMs = 0): Incoming {
  const t = parseKioskTopic(topic);
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
  const { scope } = t;
  switch (t.kind) {
    case 'summary': {
      const s = parsed.data as SummaryPayload;
      // A summary names its checkpoint twice (topic and body): they must agree, and its id must be the
      // spec's `{c}:{windowStart}`, or de-duplication could be fooled.
      if (s.checkpoint !== scope.checkpoint || s.district !== scope.district) {
        return { kind: 'rejected', reason: 'scope' };
      }
      if (
        s.id !== `${s.checkpoint}:${s.windowStart}` ||
        Date.parse(s.windowEnd) <= Date.parse(s.windowStart)
      ) {
        return { kind: 'rejected', reason: 'schema' };
      }
      if (Date.parse(s.windowStart) < horizonMs) return { kind: 'rejected', reason: 'too-old' };
      return { kind: 'summary', scope, payload: s };
    }
    case 'event': {
      const e = parsed.data as EventPayload;
      if (Date.parse(e.at) < horizonMs) return { kind: 'rejected', reason: 'too-old' };
      return { kind: 'event', scope, payload: e };
    }
    case 'ack':
      return { kind: 'ack', scope, payload: parsed.data as AckPayload };
    case 'status':
      return { kind: 'status', scope, payload: parsed.data as AnyStatusPayload };
  }
}
