// POST /api/resend: an operator asks one kiosk to republish a range of seq (spec/mqtt.md `command`).
// Without a range, the first one the database lacks: at the start, between two ranges held, or after
// them up to the lastSeq of the kiosk's status.
import { AREA_CODE } from '../../src/contract/checkpoint.js';
import { KioskError } from '../../src/contract/errors.js';
import { Seq } from '../../src/contract/mqtt.js';
import { KioskId } from '../../src/contract/mqtt-topics.js';
import { type ReceiptStats, type Send, sendResend } from './receipts.js';
import type { LedgerStore } from './store.js';
import type { ResendRequest, ResendResult } from './types.js';

export type { ResendResult } from './types.js';

function bad(vi: string, en: string): KioskError {
  return new KioskError('RESEND_INVALID', vi, en);
}

export async function requestResend(
  request: unknown,
  store: LedgerStore,
  send: Send,
  stats: ReceiptStats,
): Promise<ResendResult> {
  if (typeof request !== 'object' || request === null) {
    throw bad('Yêu cầu phải là một đối tượng JSON', 'The request must be a JSON object');
  }
  const r = request as Partial<ResendRequest>;
  if (
    typeof r.district !== 'string' ||
    !AREA_CODE.test(r.district) ||
    typeof r.checkpoint !== 'string' ||
    !KioskId.safeParse(r.kiosk).success
  ) {
    throw bad(
      'Cần quận/huyện, chốt và mã máy hợp lệ',
      'A valid district, checkpoint and kiosk id are needed',
    );
  }
  if (r.instance !== undefined && typeof r.instance !== 'string') {
    throw bad('Mã phiên bản máy (instance) phải là chuỗi', 'The instance must be a string');
  }
  const scope = { district: r.district, checkpoint: r.checkpoint, kiosk: r.kiosk as string };
  const id = await store.findKiosk(scope, r.instance);
  const held = id === null ? null : await store.scopeOf(id);
  if (id === null || !held) {
    throw new KioskError('NOT_FOUND', 'Không có máy này', 'No such kiosk');
  }
  let from = r.from;
  let to = r.to;
  if (from === undefined && to === undefined) {
    const gap = await store.firstGap(id);
    if (!gap) {
      throw bad(
        'Cơ sở dữ liệu đã có mọi tin máy này báo đã gửi: không có gì để gửi lại',
        'The database holds everything this kiosk says it sent: nothing to resend',
      );
    }
    from = gap.from;
    to = gap.to;
  }
  if (!Seq.safeParse(from).success || !Seq.safeParse(to).success || (from as number) > (to as number)) {
    throw bad('Khoảng gửi lại phải là 1 ≤ from ≤ to', 'The range to resend must be 1 ≤ from ≤ to');
  }
  const sent = sendResend(send, held, from as number, to as number);
  if (!sent) {
    throw new KioskError(
      'CC_BROKER_OFFLINE',
      'Chưa kết nối được máy chủ MQTT: chưa gửi lệnh',
      'Not connected to the MQTT broker: no command was sent',
    );
  }
  stats.commands++;
  return { ...sent, instance: held.instance, from: from as number, to: to as number };
}
