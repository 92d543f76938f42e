// A scan's recorded source comes from how it reached the kiosk, never from what the caller says: a
// logged-in page (HTTP or WebSocket through the browser host) that claims its scan came from the serial
// scanner or a manual entry is recorded as the screen (`api`); the screen's own inputs (wedge, camera)
// are kept; only the serial driver records `serial`.
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type AuditKiosk, PINS, startAuditKiosk } from '../unit/audit-fixtures.js';

let k: AuditKiosk;
let guard: { cookie: string; csrf: string };

async function post(method: string, body: unknown) {
  const res = await fetch(`${k.url}api/call/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: guard.cookie, 'x-kiosk-csrf': guard.csrf },
    body: JSON.stringify(body),
  });
  return (await res.json()) as { ok: boolean; result?: { passageId: number; source: string } };
}

function recordedSource(passageId: number): string {
  const db = new Database(k.db, { readonly: true });
  try {
    return (db.prepare('SELECT source FROM passages WHERE id = ?').get(passageId) as { source: string })
      .source;
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  k = await startAuditKiosk({ http: true });
  const res = await fetch(`${k.url}api/call/auth.login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'canbo', pin: PINS.guard }),
  });
  const json = (await res.json()) as { result: { csrfToken: string } };
  guard = { cookie: res.headers.get('set-cookie')!.split(';')[0]!, csrf: json.result.csrfToken };
  expect((await post('shift.open', {})).ok).toBe(true);
});

afterAll(async () => {
  await k?.close();
});

describe('scan.submit: the source is the transport’s', () => {
  it('over HTTP, a page claiming serial or manual is recorded as the screen; wedge and camera are kept', async () => {
    const cases: [string | undefined, string][] = [
      ['serial', 'api'],
      ['manual', 'api'],
      ['camera', 'camera'],
      ['wedge', 'wedge'],
      [undefined, 'api'],
    ];
    for (const [i, [claimed, recorded]] of cases.entries()) {
      const r = await post('scan.submit', {
        text: k.permit(`SRC-H${i}`),
        ...(claimed ? { source: claimed } : {}),
      });
      expect(r.ok).toBe(true);
      expect(r.result?.source, `claimed ${claimed}`).toBe(recorded);
      expect(recordedSource(r.result!.passageId)).toBe(recorded);
    }
  });

  it('over the WebSocket, the same', async () => {
    const ws = new WebSocket(`${k.url!.replace('http', 'ws')}api/ws`, { headers: { cookie: guard.cookie } });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const reply = new Promise<{ ok: boolean; result: { passageId: number; source: string } }>((resolve) =>
      ws.on('message', (d) => {
        const m = JSON.parse(String(d));
        if (m.type === 'result' && m.id === 7) resolve(m);
      }),
    );
    ws.send(
      JSON.stringify({
        type: 'call',
        id: 7,
        method: 'scan.submit',
        params: { text: k.permit('SRC-W'), source: 'serial' },
      }),
    );
    const r = await reply;
    ws.close();
    expect(r.ok).toBe(true);
    expect(r.result.source).toBe('api');
    expect(recordedSource(r.result.passageId)).toBe('api');
  });

  it('the serial driver’s scans are the only ones recorded as serial', () => {
    const v = k.kiosk.scan(k.permit('SRC-S'), 'serial');
    expect(recordedSource(v.passageId!)).toBe('serial');
  });
});
