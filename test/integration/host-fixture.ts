// A small in-test kiosk core for the browser host and UI tests: it implements the kiosk API contract
// (src/contract/api.ts) with canned verdicts, so the host and the renderer are exercised over real
// HTTP, WebSocket and Chromium without the SQLite/crypto core.
import {
  Dispatcher,
  type EventListener,
  type Implementation,
  notImplemented,
} from '../../src/api/dispatch.js';
import type { EventName, KioskStatus, PermitView, Verdict } from '../../src/contract/api.js';
import { KioskError } from '../../src/contract/errors.js';
import type { Decision, ReasonCode } from '../../src/contract/reasons.js';

export const PERMIT: PermitView = {
  iss: '01-009',
  cti: 'TX-2021-000123',
  hash: 'a1'.repeat(32),
  kind: 'travel',
  nam: 'Nguyễn Thị Hằng',
  idnMasked: '0010******89',
  pur: 'medical',
  org: 'Bệnh viện Bạch Mai',
  home: '01-009-00337',
  areas: ['01-009', '01-006'],
  route: null,
  veh: { plate: '29A-123.45', type: 'motorbike' },
  hours: null,
  validFrom: '2021-08-01T00:00:00Z',
  validTo: '2021-09-15T16:59:00Z',
  issuerName: 'Công an quận Thanh Xuân',
};

export function makeVerdict(decision: Decision, reasons: ReasonCode[], over: Partial<Verdict> = {}): Verdict {
  return {
    kind: 'passage',
    passageId: 1,
    at: '2021-08-23T01:30:00Z',
    decision,
    reasons,
    duplicate: false,
    source: 'serial',
    direction: 'in',
    lane: '1',
    permit: PERMIT,
    preview: null,
    ...over,
  };
}

export const GUARD_SESSION = {
  user: { id: 2, name: 'canbo', displayName: 'Trung sĩ Lê Văn Tám', role: 'guard' as const },
  expiresAt: '2099-01-01T00:00:00.000Z',
  csrfToken: 'test-csrf',
  shift: {
    id: 7,
    userId: 2,
    guard: 'Trung sĩ Lê Văn Tám',
    lane: '1',
    openedAt: '2021-08-23T00:00:00.000Z',
    closedAt: null,
    closedBy: null,
    handoverNotes: null,
    previousShiftId: null,
    closeHash: null,
    signedAt: null,
    signedBy: null,
    signoffNote: null,
    counts: { allowed: 41, denied: 7, review: 2, overridden: 0, people: 50 },
  },
};

export const SAMPLES = [
  { label: 'Giấy hợp lệ', labelEn: 'Valid permit', text: 'SAMPLE-ALLOW' },
  { label: 'Giấy hết hạn', labelEn: 'Expired permit', text: 'SAMPLE-DENY' },
  { label: 'Mã lạ', labelEn: 'Unknown code', text: 'SAMPLE-REVIEW' },
];

export interface TestKiosk {
  impl: Implementation;
  dispatcher: Dispatcher;
  subscribe: (listener: EventListener) => () => void;
  emit: (name: EventName, data: unknown) => void;
  status: KioskStatus;
  submitted: string[];
  listenerCount: () => number;
}

export function makeTestKiosk(opts: { demo?: boolean } = {}): TestKiosk {
  const listeners = new Set<EventListener>();
  const recent: Verdict[] = [];
  const submitted: string[] = [];
  let nextId = 100;
  const status: KioskStatus = {
    version: '0.1.0',
    startedAt: '2021-08-23T00:00:00Z',
    now: new Date().toISOString(),
    demo: opts.demo ?? true,
    checkpoint: {
      id: 'TX-01',
      name: 'Chốt Nguyễn Trãi',
      district: '01-009',
      districtName: 'Quận Thanh Xuân',
      area: '01-009',
      areaName: 'Quận Thanh Xuân',
      kind: 'district-entry',
      lanes: ['1', '2'],
    },
    lane: '1',
    direction: 'in',
    scanner: { state: 'ok', path: '/dev/ttyUSB0', detail: null, problem: null },
    uplink: { enabled: true, connected: false, backlog: 12 },
    counts: { allowed: 41, denied: 7, review: 2 },
  };
  const emit = (name: EventName, data: unknown) => {
    for (const l of listeners) l(name, data);
  };
  const impl: Implementation = {
    ...notImplemented(),
    // The scan screen sits behind the login: this kiosk's caller is a guard on shift.
    'auth.whoami': async () => GUARD_SESSION,
    'status.get': async () => ({ ...status, now: new Date().toISOString() }),
    'scan.submit': async (p) => {
      submitted.push(p.text);
      if (p.text === 'THROW') throw new Error('boom');
      if (p.text === 'REFUSE') throw new KioskError('NO_SHIFT', 'Chưa mở ca trực', 'No shift open');
      const base = {
        passageId: nextId++,
        at: new Date().toISOString(),
        source: p.source,
        direction: status.direction,
      };
      const v: Verdict =
        p.text === 'SAMPLE-ALLOW'
          ? makeVerdict('ALLOW', [], base)
          : p.text === 'SAMPLE-DENY'
            ? makeVerdict('DENY', ['EXPIRED', 'AREA_NOT_PERMITTED'], base)
            : makeVerdict('REVIEW', ['UNRECOGNISED'], {
                ...base,
                kind: 'unreadable',
                passageId: null,
                permit: null,
                preview: p.text.slice(0, 40),
              });
      recent.unshift(v);
      emit('verdict', v);
      return v;
    },
    'verdicts.recent': async (p) => recent.slice(0, p.limit),
    'lane.set': async (p) => {
      if (p.direction) status.direction = p.direction;
      if (p.lane) {
        if (!status.checkpoint.lanes.includes(p.lane)) {
          throw new KioskError('BAD_LANE', `Không có làn ${p.lane}`, `No lane ${p.lane}`);
        }
        status.lane = p.lane;
      }
      const s = { ...status, now: new Date().toISOString() };
      emit('status', s);
      return s;
    },
    'demo.samples': async () => SAMPLES,
  };
  return {
    impl,
    dispatcher: new Dispatcher(impl),
    subscribe: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    emit,
    status,
    submitted,
    listenerCount: () => listeners.size,
  };
}
