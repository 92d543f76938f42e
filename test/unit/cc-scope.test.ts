// What a scope lets an account see and do, as pure functions: the snapshot cut to districts (hourly
// curve replaced, broker rejections withheld, other districts' configs hidden), admins within scope.
import { describe, expect, it } from 'vitest';
import { parseScope } from '../../command-centre/server/accounts.js';
import { auditVisible, may, scopeSnapshot, scopeWithin } from '../../command-centre/server/scope.js';
import type { Snapshot } from '../../command-centre/server/types.js';

const snap = {
  now: '2026-12-05T00:00:00.000Z',
  broker: { connected: true, url: null, error: null },
  keyId: null,
  checkpoints: [{ district: '01-001' }, { district: '01-002' }],
  districts: [{ district: '01-001' }, { district: '01-002' }],
  hourly: [{ hourStart: 'x', allowed: 8, denied: 0, review: 0, people: 8 }],
  alerts: [{ district: '01-002' }, { district: '01-001' }],
  acks: [{ district: '01-002' }],
  published: [
    { topic: 'ckpt/v2/all/trust' },
    { topic: 'ckpt/v2/01-001/all/config' },
    { topic: 'ckpt/v2/01-002/TX-01/all/config' },
  ],
  rejected: [{ reason: 'topic', count: 1, lastTopic: 'ckpt/v2/01-002/x', lastAt: null }],
  areas: [],
} as unknown as Snapshot;

describe('command-centre scopes', () => {
  it('cuts a snapshot to districts and leaves the city whole', () => {
    expect(scopeSnapshot('city', snap, null)).toBe(snap);
    const own = [{ hourStart: 'x', allowed: 3, denied: 0, review: 0, people: 3 }];
    const hk = scopeSnapshot(['01-001'], snap, own);
    expect(hk.checkpoints).toEqual([{ district: '01-001' }]);
    expect(hk.districts).toEqual([{ district: '01-001' }]);
    expect(hk.alerts).toEqual([{ district: '01-001' }]);
    expect(hk.acks).toEqual([]);
    expect(hk.hourly).toBe(own);
    expect(hk.rejected).toEqual([]);
    expect(hk.published.map((p) => p.topic)).toEqual(['ckpt/v2/all/trust', 'ckpt/v2/01-001/all/config']);
  });

  it('gives each role its own job', () => {
    expect(may('viewer', 'read')).toBe(true);
    expect(may('viewer', 'publish')).toBe(false);
    expect(may('operator', 'ack')).toBe(true);
    expect(may('operator', 'publish')).toBe(false);
    expect(may('publisher', 'publish')).toBe(true);
    expect(may('publisher', 'accounts')).toBe(false);
    expect(may('admin', 'audit')).toBe(true);
    expect(may('admin', 'publish')).toBe(false);
  });

  it('keeps an admin within its scope, and its audit reading too', () => {
    expect(scopeWithin(['01-001'], 'city')).toBe(true);
    expect(scopeWithin('city', ['01-001'])).toBe(false);
    expect(scopeWithin(['01-001', '01-002'], ['01-001'])).toBe(false);
    expect(auditVisible(['01-001'], { districts: ['01-001'] })).toBe(true);
    expect(auditVisible(['01-001'], { districts: ['01-002'] })).toBe(false);
    expect(auditVisible(['01-001'], {})).toBe(false);
    expect(auditVisible('city', {})).toBe(true);
  });

  it('reads a scope from the CLI or the API, refusing anything else in both languages', () => {
    expect(parseScope('city')).toBe('city');
    expect(parseScope('01-009, 01-001,01-009')).toEqual(['01-001', '01-009']);
    expect(parseScope(['01-002'])).toEqual(['01-002']);
    for (const bad of ['', [], ['a b'], 7, null]) {
      expect(() => parseScope(bad)).toThrow(
        expect.objectContaining({ code: 'BAD_PARAMS', vi: expect.any(String) }),
      );
    }
  });
});
