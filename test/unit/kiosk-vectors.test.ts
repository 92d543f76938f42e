// The public test vectors (shared/testdata/vnp1-vectors.json) through a real kiosk: configured from files
// holding the vectors' root key, signed trust list and checkpoint, on a SQLite file, a guard on duty, each
// vector scanned in order at its own time. judge.test.ts runs them through the pure judge; this is the
// whole scan path (document store, scan service, log) as a checkpoint runs it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { kioskOptionsFromSettings } from '../../src/config/options.js';
import { loadSettings } from '../../src/config/settings.js';
import { Kiosk } from '../../src/kiosk.js';
import { verifyLogSync } from '../../src/store/chain-log.js';
import { onDuty } from '../fixtures/duty.js';
import { sharedPath } from '../helpers/shared.js';

/** spec/policy.md "What is counted": a scan that yields no readable permit is not a passage. */
const UNREADABLE = ['FORMAT_INVALID', 'UNRECOGNISED'];
const isPassage = (v: { reasons: string[] }) => !v.reasons.some((r) => UNREADABLE.includes(r));

interface Vector {
  name: string;
  scan: string;
  at: string;
  decision: string;
  reasons: string[];
}

const file = readFileSync(sharedPath('testdata', 'vnp1-vectors.json'), 'utf8');
const vectors = JSON.parse(file) as {
  checkpoint: unknown;
  rootPublicKeyPem: string;
  trustListJws: string;
  vectors: Vector[];
};

const dir = mkdtempSync(join(tmpdir(), 'kiosk-vectors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('public vectors through a real kiosk', () => {
  it('are judged as expected, passages recorded in the log, and the chain verifies', async () => {
    writeFileSync(join(dir, 'root.pub.pem'), vectors.rootPublicKeyPem);
    writeFileSync(join(dir, 'trust.jws'), vectors.trustListJws);
    writeFileSync(join(dir, 'checkpoint.json'), JSON.stringify(vectors.checkpoint));
    writeFileSync(
      join(dir, 'kiosk.json'),
      JSON.stringify({
        checkpoint: 'checkpoint.json',
        rootKey: 'root.pub.pem',
        trustList: 'trust.jws',
        database: 'kiosk.db',
      }),
    );
    const first = vectors.vectors[0];
    expect(first).toBeDefined();
    let now = Date.parse(first!.at);
    const options = await kioskOptionsFromSettings(loadSettings(join(dir, 'kiosk.json')));
    const kiosk = new Kiosk({
      ...options,
      http: false,
      mqtt: null,
      serial: null,
      now: () => now,
      pinCost: 1024,
    });
    await kiosk.start();
    try {
      await onDuty(kiosk);
      // The signed trust list file was imported into the kiosk's document store, not only read.
      expect(
        kiosk
          .currentDocuments()
          ?.heldDocuments()
          .map((d) => d.slot),
      ).toContain('trust');
      const got = [];
      for (const v of vectors.vectors) {
        now = Date.parse(v.at);
        const verdict = kiosk.scan(v.scan, 'api', { direction: 'in' });
        got.push({
          name: v.name,
          decision: verdict.decision,
          reasons: verdict.reasons,
          recorded: verdict.passageId !== null,
        });
      }
      expect(got).toEqual(
        vectors.vectors.map((v) => ({
          name: v.name,
          decision: v.decision,
          reasons: v.reasons,
          recorded: isPassage(v),
        })),
      );
    } finally {
      await kiosk.stop();
    }
    const db = new Database(join(dir, 'kiosk.db'), { readonly: true });
    try {
      const rows = db.prepare('SELECT decision, at_ms AS at FROM passages ORDER BY id').all();
      expect(rows).toEqual(
        vectors.vectors.filter(isPassage).map((v) => ({ decision: v.decision, at: Date.parse(v.at) })),
      );
      // The unreadable one is kept in the audit log, by its first characters only.
      const unreadable = db.prepare("SELECT details FROM audit_events WHERE kind = 'unreadable'").all() as {
        details: string;
      }[];
      expect(unreadable.map((r) => JSON.parse(r.details).preview)).toEqual(
        vectors.vectors.filter((v) => !isPassage(v)).map((v) => v.scan.slice(0, 24)),
      );
      expect(verifyLogSync(db).ok).toBe(true);
    } finally {
      db.close();
    }
  });
});
