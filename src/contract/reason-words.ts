// Guard-facing words for every reason and decision, Vietnamese first. Shared by CLI, reports and UI.
import type { Decision, ReasonCode } from './reasons.js';

export interface Bilingual {
  vi: string;
  en: string;
}

export const REASON_TEXT: Record<ReasonCode, Bilingual> = {
  FORMAT_INVALID: { vi: 'Mã QR hỏng hoặc sai định dạng', en: 'QR code damaged or malformed' },
  UNRECOGNISED: { vi: 'Không phải giấy đi đường', en: 'Not a travel permit' },
  SIGNATURE_INVALID: { vi: 'Chữ ký không hợp lệ (giả mạo?)', en: 'Invalid signature (forged?)' },
  UNKNOWN_ISSUER: { vi: 'Đơn vị cấp không có trong danh sách tin cậy', en: 'Issuer not in the trust list' },
  ISSUER_NOT_VALID: { vi: 'Khoá của đơn vị cấp hết hiệu lực', en: "Issuer's key not valid at signing" },
  ISSUER_NOT_ALLOWED: { vi: 'Đơn vị cấp không được cấp loại giấy này', en: 'Issuer may not issue this kind' },
  NOT_YET_VALID: { vi: 'Giấy chưa đến ngày hiệu lực', en: 'Permit not yet valid' },
  EXPIRED: { vi: 'Giấy đã hết hạn', en: 'Permit expired' },
  REVOKED: { vi: 'Giấy đã bị thu hồi', en: 'Permit revoked' },
  AREA_NOT_PERMITTED: { vi: 'Không được phép vào khu vực này', en: 'Not permitted in this area' },
  OUTSIDE_HOURS: { vi: 'Ngoài giờ được phép', en: 'Outside permitted hours' },
  ORIGIN_HIGH_RISK: { vi: 'Đến từ vùng nguy cơ cao', en: 'Coming from a high-risk zone' },
  LOCKDOWN_EXIT: { vi: 'Không được ra khỏi vùng phong toả', en: 'May not leave the locked-down area' },
  VEHICLE_MISMATCH: { vi: 'Biển số không khớp với giấy', en: 'Plate does not match the permit' },
  ALREADY_INSIDE: { vi: 'Đã vào nhưng chưa ra (quét hai lần)', en: 'Already inside: entered with no exit' },
  DUPLICATE_SCAN: { vi: 'Vừa quét rồi (không tính lại)', en: 'Just scanned (not counted again)' },
  HEALTH_PROOF_REQUIRED: { vi: 'Cần giấy xét nghiệm / tiêm chủng', en: 'Health proof required' },
  HEALTH_PROOF_INVALID: { vi: 'Giấy y tế không hợp lệ', en: 'Health proof not valid' },
  CLOCK_UNTRUSTED: { vi: 'Đồng hồ máy không tin cậy', en: 'Kiosk clock not trusted' },
};

export const DECISION_TEXT: Record<Decision, Bilingual> = {
  ALLOW: { vi: 'CHO QUA', en: 'ALLOW' },
  DENY: { vi: 'KHÔNG CHO QUA', en: 'DENY' },
  REVIEW: { vi: 'CẦN KIỂM TRA', en: 'CHECK' },
};
