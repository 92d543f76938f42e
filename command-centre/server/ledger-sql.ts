// The ledger's prepared statements, in one place: what each table is read and written with.
import type { Db } from '../../src/base/db.js';
import { COUNTER_COLUMNS } from './rows.js';

const SUM_COLUMNS = COUNTER_COLUMNS.map((c) => `sum(${c}) AS ${c}`).join(', ');
const HOUR_SUM_COLUMNS = COUNTER_COLUMNS.map((c) => `sum(kiosk_hours.${c}) AS ${c}`).join(', ');
const ADD_COLUMNS = COUNTER_COLUMNS.map((c) => `${c} = ${c} + @${c}`).join(', ');
const KIOSK_KEY = 'district = ? AND checkpoint = ? AND kiosk = ?';

export function prepare(db: Db) {
  const p = (sql: string) => db.prepare(sql);
  return {
    upsertKiosk: p(`INSERT INTO kiosks (district, checkpoint, kiosk, instance, first_seen_ms, last_seen_ms)
      VALUES (@district, @checkpoint, @kiosk, @instance, @now, @now)
      ON CONFLICT (district, checkpoint, kiosk, instance)
      DO UPDATE SET last_seen_ms = max(last_seen_ms, excluded.last_seen_ms) RETURNING id`),
    kioskState: p('SELECT online, last_status_ms, changed_ms FROM kiosks WHERE id = ?'),
    kioskStatus: p('SELECT status FROM kiosks WHERE id = ?'),
    kioskScope: p('SELECT district, checkpoint, kiosk, instance FROM kiosks WHERE id = ?'),
    kioskIdOf: p(`SELECT id FROM kiosks WHERE ${KIOSK_KEY} AND instance = ?`),
    latestInstance: p(`SELECT id FROM kiosks WHERE ${KIOSK_KEY}
      ORDER BY coalesce(last_status_ms, last_seen_ms) DESC LIMIT 1`),
    setOnline: p(`UPDATE kiosks SET online = 1, status = @status, lane = @lane, last_status_ms = @stamp,
      changed_ms = @changed, last_seen_ms = max(last_seen_ms, @stamp) WHERE id = @id`),
    setOffline: p('UPDATE kiosks SET online = 0, changed_ms = @changed WHERE id = @id'),
    liveOthers: p(`SELECT instance FROM kiosks WHERE ${KIOSK_KEY} AND id != ? AND online = 1
      AND last_status_ms >= ? ORDER BY instance`),

    heldBelow: p('SELECT lo, hi FROM held WHERE kiosk_id = ? AND lo <= ? ORDER BY lo DESC LIMIT 1'),
    heldAbove: p('SELECT lo, hi FROM held WHERE kiosk_id = ? AND lo > ? ORDER BY lo LIMIT 1'),
    heldInsert: p('INSERT INTO held (kiosk_id, lo, hi) VALUES (?, ?, ?)'),
    heldSetHi: p('UPDATE held SET hi = ? WHERE kiosk_id = ? AND lo = ?'),
    heldSetLo: p('UPDATE held SET lo = ? WHERE kiosk_id = ? AND lo = ?'),
    heldDelete: p('DELETE FROM held WHERE kiosk_id = ? AND lo = ?'),
    heldRanges: p('SELECT lo, hi FROM held WHERE kiosk_id = ? ORDER BY lo LIMIT ?'),
    heldAll: p('SELECT kiosk_id, lo, hi FROM held ORDER BY kiosk_id, lo'),
    countDuplicate: p('UPDATE kiosks SET duplicates = duplicates + 1 WHERE id = ?'),

    addKiosk: p(`UPDATE kiosks SET ${ADD_COLUMNS}, summaries = summaries + 1 WHERE id = @id`),
    ensureHour: p('INSERT OR IGNORE INTO kiosk_hours (hour_ms, kiosk_id) VALUES (?, ?)'),
    addHour: p(`UPDATE kiosk_hours SET ${ADD_COLUMNS} WHERE hour_ms = @hour_ms AND kiosk_id = @id`),
    countEvent: p('UPDATE kiosks SET events = events + 1, lane = coalesce(lane, ?) WHERE id = ?'),
    insertEvent: p(`INSERT INTO events (id, district, checkpoint, kiosk, instance, kiosk_seq, at_ms,
      received_ms, kind, decision, reasons, permit, direction, lane, detail)
      VALUES (@id, @district, @checkpoint, @kiosk, @instance, @seq, @at_ms, @received_ms, @kind, @decision,
      @reasons, @permit, @direction, @lane, @detail)`),
    countAck: p('UPDATE kiosks SET acks = acks + 1 WHERE id = ?'),
    upsertAck: p(`INSERT INTO kiosk_acks (kiosk_id, typ, version, applied, error, at_ms, received_ms)
      VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kiosk_id, typ, version) DO UPDATE SET
      applied = excluded.applied, error = excluded.error, at_ms = excluded.at_ms,
      received_ms = excluded.received_ms`),
    countPassage: p('UPDATE kiosks SET passages = passages + 1 WHERE id = ?'),
    insertPassage: p(`INSERT INTO passages (kiosk_id, seq, id, area, permit, direction, let_through, at_ms,
      received_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),

    reject: p(`INSERT INTO rejected (reason, count, last_topic, last_ms) VALUES (?, 1, ?, ?)
      ON CONFLICT (reason) DO UPDATE SET count = count + 1, last_topic = excluded.last_topic,
      last_ms = excluded.last_ms`),
    insertPublished: p(`INSERT INTO published (kind, typ, version, topic, retained, at_ms, sha256)
      VALUES (?, ?, ?, ?, ?, ?, ?)`),
    lastPublished: p('SELECT max(version) AS v FROM published WHERE topic = ?'),
    kvGet: p('SELECT value FROM kv WHERE key = ?'),
    kvSet: p(
      'INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ),
    revokedAll: p('SELECT hash FROM revoked ORDER BY hash'),
    revokedAdd: p('INSERT OR IGNORE INTO revoked (hash) VALUES (?)'),
    revokedRemove: p('DELETE FROM revoked WHERE hash = ?'),
    revokedClear: p('DELETE FROM revoked'),

    allKiosks: p('SELECT * FROM kiosks ORDER BY district, checkpoint, kiosk, instance'),
    passagesOf: p('SELECT * FROM passages WHERE kiosk_id = ? ORDER BY seq'),
    todayByKiosk: p(`SELECT kiosk_id, ${SUM_COLUMNS} FROM kiosk_hours WHERE hour_ms >= ? GROUP BY kiosk_id`),
    hours: p(`SELECT hour_ms, ${SUM_COLUMNS} FROM kiosk_hours WHERE hour_ms >= ? GROUP BY hour_ms`),
    hoursOf:
      p(`SELECT hour_ms, ${HOUR_SUM_COLUMNS} FROM kiosk_hours JOIN kiosks ON kiosks.id = kiosk_hours.kiosk_id
      WHERE hour_ms >= ? AND kiosks.district IN (SELECT value FROM json_each(?)) GROUP BY hour_ms`),
    recentEvents: p('SELECT * FROM events ORDER BY seq DESC LIMIT ?'),
    recentAcks: p(`SELECT a.*, k.district, k.checkpoint, k.kiosk FROM kiosk_acks a
      JOIN kiosks k ON k.id = a.kiosk_id ORDER BY a.received_ms DESC LIMIT ?`),
    recentPublished: p('SELECT * FROM published ORDER BY seq DESC LIMIT ?'),
    rejected: p('SELECT * FROM rejected ORDER BY reason'),
    pruneEvents: p('DELETE FROM events WHERE at_ms < ?'),
    prunePassages: p('DELETE FROM passages WHERE at_ms < ?'),
  };
}

export type Statements = ReturnType<typeof prepare>;
