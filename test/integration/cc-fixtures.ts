// Messages of the contract v2 as a kiosk sends them, built by hand so a test says exactly which
// instance and seq each carries; and a raw kiosk connection with its birth status and Last Will.
import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import type {
  AckPayload,
  EventPayload,
  OfflineStatusPayload,
  PassagePayload,
  StatusPayload,
  SummaryPayload,
} from '../../src/contract/mqtt.js';
import { kioskTopic, type TopicScope } from '../../src/contract/mqtt-topics.js';
import { addPassage, emptySummary, toSummaryPayload } from '../../src/contract/summary.js';

export const MINUTE = 60_000;

/** One kiosk instance: its scope and instance; each builder takes the seq explicitly. */
export interface SimId {
  scope: TopicScope;
  instance: string;
}

export function kioskId(kiosk: string, checkpoint = 'TX-01', district = '01-009'): SimId {
  return { scope: { district, checkpoint, kiosk }, instance: randomUUID() };
}

export function summary(
  k: SimId,
  seq: number,
  windowStartMs: number,
  counts: { allowedIn?: number; deniedIn?: number; allowedOut?: number } = {},
): SummaryPayload {
  const data = emptySummary();
  const base = { reasons: [], purpose: 'work', vehicleType: 'motorbike' as const, people: 1 };
  for (let i = 0; i < (counts.allowedIn ?? 0); i++) {
    addPassage(data, { ...base, direction: 'in', decision: 'ALLOW', letThrough: true });
  }
  for (let i = 0; i < (counts.deniedIn ?? 0); i++) {
    addPassage(data, { ...base, direction: 'in', decision: 'DENY', reasons: ['EXPIRED'], letThrough: false });
  }
  for (let i = 0; i < (counts.allowedOut ?? 0); i++) {
    addPassage(data, { ...base, direction: 'out', decision: 'ALLOW', letThrough: true });
  }
  return {
    ...toSummaryPayload(k.scope, windowStartMs, MINUTE, data),
    seq,
    kiosk: k.scope.kiosk,
    instance: k.instance,
  };
}

export function event(
  k: SimId,
  seq: number,
  atMs: number,
  kind: EventPayload['kind'] = 'denial',
): EventPayload {
  return {
    schema: 'ckpt.event/2',
    id: randomUUID(),
    seq,
    kiosk: k.scope.kiosk,
    instance: k.instance,
    at: new Date(atMs).toISOString(),
    kind,
    decision: kind === 'denial' ? 'DENY' : null,
    reasons: kind === 'denial' ? ['EXPIRED'] : [],
    permit: null,
    direction: 'in',
    lane: '1',
  };
}

export function passage(k: SimId, seq: number, atMs: number, permit = 'ab'.repeat(32)): PassagePayload {
  return {
    schema: 'ckpt.passage/1',
    id: randomUUID(),
    seq,
    kiosk: k.scope.kiosk,
    instance: k.instance,
    at: new Date(atMs).toISOString(),
    area: k.scope.district,
    permit,
    direction: 'in',
    letThrough: true,
  };
}

export function ack(k: SimId, seq: number, atMs: number, over: Partial<AckPayload> = {}): AckPayload {
  return {
    schema: 'ckpt.ack/2',
    id: randomUUID(),
    seq,
    kiosk: k.scope.kiosk,
    instance: k.instance,
    at: new Date(atMs).toISOString(),
    typ: 'vnp-zones+jws',
    version: 3,
    applied: true,
    ...over,
  };
}

export function status(
  k: SimId,
  atMs: number,
  over: Partial<Omit<StatusPayload, 'schema' | 'online'>> = {},
): StatusPayload {
  return {
    schema: 'ckpt.status/2',
    online: true,
    at: new Date(atMs).toISOString(),
    kiosk: k.scope.kiosk,
    instance: k.instance,
    version: '0.1.0-test',
    startedAt: new Date(atMs).toISOString(),
    lane: k.scope.kiosk.replace(/^L/, ''),
    direction: 'in',
    scanner: 'ok',
    lastSeq: 0,
    outbox: { unreceipted: 0, oldestAt: null },
    clockSkewMs: 0,
    shift: null,
    lastScanAt: null,
    commandCentre: 'online',
    ...over,
  };
}

export function offline(k: SimId, sinceMs: number): OfflineStatusPayload {
  return {
    schema: 'ckpt.status/2',
    online: false,
    kiosk: k.scope.kiosk,
    instance: k.instance,
    since: new Date(sinceMs).toISOString(),
  };
}

/** Publishes at QoS 1 on a kiosk topic; a string or bytes go as they are. */
export async function send(
  client: mqtt.MqttClient,
  k: SimId | TopicScope,
  kind: 'summary' | 'event' | 'ack' | 'passage' | 'status',
  payload: unknown,
  retain = false,
): Promise<void> {
  const scope = 'scope' in k ? k.scope : k;
  const body = typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload);
  await client.publishAsync(kioskTopic(scope, kind), body, { qos: 1, retain });
}

/** A kiosk's own connection: its Will registered, its birth status published retained. */
export async function kioskConnection(url: string, k: SimId, birth: StatusPayload): Promise<mqtt.MqttClient> {
  const client = await mqtt.connectAsync(url, {
    protocolVersion: 5,
    clientId: `kiosk-${k.scope.checkpoint}-${k.scope.kiosk}-${k.instance.slice(0, 8)}`,
    reconnectPeriod: 0,
    will: {
      topic: kioskTopic(k.scope, 'status'),
      payload: Buffer.from(JSON.stringify(offline(k, Date.parse(birth.at)))),
      qos: 1,
      retain: true,
    },
  });
  await send(client, k, 'status', birth, true);
  return client;
}
