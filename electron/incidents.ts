// Crashes the shell recovered from (renderer gone or hung, backend exited): audited in the kiosk's own
// database and reported to the command centre as an MQTT event, plus a plain log file kept by the main
// process, which works even while the backend (and so the database) is down.

import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { log } from '../src/base/log.js';
import type { Incident } from './backend-messages.js';

/** kv key of the crash incidents' trail (newest last), kept beside the log's audit chain. */
export const INCIDENT_KV_KEY = 'shell.incidents';
const KEEP = 200;

/**
 * The MQTT event kind. spec/mqtt.md lists alert kinds without a crash; until src/contract/mqtt.ts
 * accepts this kind, the event is refused by the outbox schema and only the audit record is kept.
 */
export const INCIDENT_EVENT_KIND = 'crash';

export interface IncidentStore {
  getKv(key: string): string | null;
  setKv(key: string, value: string, nowMs?: number): void;
  enqueue(kind: 'event', payload: unknown, nowMs?: number): number;
}

export interface RecordedIncident {
  audited: boolean;
  reported: boolean;
  /** Why it was not reported over MQTT, when it was not. */
  why?: string;
}

/** Appends the incident to the kv audit trail and queues its MQTT event in the outbox. */
export function recordIncident(
  store: IncidentStore,
  incident: Incident,
  lane: string | null,
  nowMs = Date.now(),
): RecordedIncident {
  let trail: Incident[] = [];
  try {
    const raw = store.getKv(INCIDENT_KV_KEY);
    const parsed: unknown = raw ? JSON.parse(raw) : [];
    if (Array.isArray(parsed)) trail = parsed as Incident[];
  } catch {
    // A damaged trail is replaced rather than blocking new records.
  }
  trail.push(incident);
  store.setKv(INCIDENT_KV_KEY, JSON.stringify(trail.slice(-KEEP)), nowMs);
  try {
    store.enqueue(
      'event',
      {
        schema: 'ckpt.event/2',
        id: randomUUID(),
        at: incident.at,
        kind: INCIDENT_EVENT_KIND,
        decision: null,
        reasons: [],
        permit: null,
        direction: null,
        lane,
      },
      nowMs,
    );
    return { audited: true, reported: true };
  } catch (err) {
    return { audited: true, reported: false, why: err instanceof Error ? err.message : String(err) };
  }
}

/** Reads the audit trail back (for tests and a technician's inspection). */
export function readIncidents(store: Pick<IncidentStore, 'getKv'>): Incident[] {
  try {
    const parsed: unknown = JSON.parse(store.getKv(INCIDENT_KV_KEY) ?? '[]');
    return Array.isArray(parsed) ? (parsed as Incident[]) : [];
  } catch {
    return [];
  }
}

const LOG_MAX_BYTES = 1_000_000;

/** One JSON line per incident in dir/incidents.log; rotated to incidents.log.1 past 1 MB. Never throws. */
export function appendIncidentLog(dir: string, incident: Incident): void {
  try {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'incidents.log');
    try {
      if (statSync(file).size > LOG_MAX_BYTES) renameSync(file, `${file}.1`);
    } catch {
      // No log yet.
    }
    appendFileSync(file, `${JSON.stringify(incident)}\n`);
  } catch (err) {
    log.error('kiosk (electron): could not write the incident log:', err);
  }
}
