// Canned verdicts of every kind that is no plain passage (contract/api.ts VerdictKind), with the words
// and the cue the guard must get from each: for the scan screen's tests against a test kiosk.
import type { Verdict } from '../../src/contract/api.js';
import { makeVerdict } from '../integration/host-fixture.js';

/** Passage ids of their own (the scan screen's test numbers its verdicts from 1). */
let seq = 1000;
let tick = 0;
export const FAULT = { code: 'STORE_FULL', vi: 'Ổ đĩa đã đầy', en: 'The disk is full' };
export const DCC = {
  country: 'VN',
  type: 'vaccination',
  fnt: 'NGUYEN',
  gnt: 'THI<HANG',
  dob: '1985-11-18',
} as const;
export const iso = (ms: number) => new Date(ms).toISOString();

/** A verdict of a kind, at a time of its own so the screen takes it for a new scan. */
export function kindVerdict(
  kind: Verdict['kind'],
  decision: Verdict['decision'],
  over: Partial<Verdict> = {},
): Verdict {
  const recorded = kind === 'passage' || kind === 'duplicate';
  return makeVerdict(decision, [], {
    kind,
    passageId: recorded ? seq++ : null,
    at: iso(Date.now() + tick++),
    ...over,
  });
}

export interface KindCase {
  name: string;
  v: () => Verdict;
  sound: string;
  vi: string[];
  en: string[];
}

/** Every kind of scan that is no plain passage, with the words and the cue the guard must get. */
export const KINDS: KindCase[] = [
  {
    name: 'unreadable-deny',
    v: () =>
      kindVerdict('unreadable', 'DENY', {
        reasons: ['FORMAT_INVALID'],
        permit: null,
        preview: 'VNP1:6BFOXN*TS0BI$ZD',
      }),
    sound: 'DENY',
    vi: ['KHÔNG CHO QUA', 'Không tính lượt — quét lại', 'Mã QR hỏng hoặc sai định dạng'],
    en: ['DENY', 'Not counted — scan again'],
  },
  {
    name: 'proof-alone',
    v: () =>
      kindVerdict('health-proof', 'ALLOW', {
        permit: null,
        dcc: DCC,
        health: { reasons: [], nameMatch: null, recorded: false },
      }),
    sound: 'HEALTH_OK',
    vi: ['GIẤY Y TẾ', 'HỢP LỆ', 'Quét tiếp giấy đi đường của người này', 'NGUYEN THI HANG'],
    en: ['HEALTH PROOF', 'VALID', "Now scan this person's travel permit"],
  },
  {
    name: 'proof-beside-same',
    v: () =>
      kindVerdict('health-proof', 'ALLOW', {
        passageId: 7,
        dcc: DCC,
        health: { reasons: [], nameMatch: true, recorded: false },
      }),
    sound: 'HEALTH_OK',
    vi: ['GIẤY Y TẾ', 'Đưa kèm giấy đi đường của', 'Nguyễn Thị Hằng', 'Cùng người'],
    en: ['Shown with the travel permit of', 'Same person'],
  },
  {
    name: 'amended',
    v: () =>
      kindVerdict('passage', 'ALLOW', {
        dcc: DCC,
        health: { reasons: [], nameMatch: true, recorded: true },
        amended: { from: 'REVIEW', reasons: ['HEALTH_PROOF_REQUIRED'], at: iso(Date.now()) },
      }),
    sound: 'ALLOW',
    vi: ['CHO QUA', 'Giấy y tế đã bổ sung cho lượt này: CẦN KIỂM TRA → CHO QUA'],
    en: ['The health proof completed this passage: CHECK → ALLOW'],
  },
  {
    name: 'no-shift',
    v: () => kindVerdict('no-shift', 'ALLOW'),
    sound: 'NO_SHIFT',
    vi: ['CHƯA MỞ CA TRỰC', 'không được ghi', 'Cán bộ đăng nhập và mở ca trực, rồi quét lại.'],
    en: ['NO SHIFT OPEN', 'A guard must log in and open a shift, then scan again.'],
  },
  {
    name: 'not-recorded',
    v: () => kindVerdict('not-recorded', 'REVIEW', { reasons: ['VEHICLE_MISMATCH'], fault: FAULT }),
    sound: 'NOT_RECORDED',
    vi: ['CHƯA GHI ĐƯỢC', 'GHI VÀO SỔ GIẤY', 'Ổ đĩa đã đầy', 'Giấy cần kiểm tra thêm', 'Biển số không khớp'],
    en: ['NOT RECORDED', 'WRITE IT ON THE PAPER LOG', 'The disk is full', 'Permit needs checking'],
  },
];
