// Words of the audit in both languages, shared by the CSV and PDF reports and the supervisor's screens,
// so a report and the screen always say the same thing. No Node imports: the renderer bundles it.
import type { Bilingual } from './reason-words.js';

export type Lang = 'vi' | 'en';

export const DIRECTION_TEXT: Record<'in' | 'out', Bilingual> = {
  in: { vi: 'Vào', en: 'In' },
  out: { vi: 'Ra', en: 'Out' },
};

export const SOURCE_TEXT: Record<string, Bilingual> = {
  serial: { vi: 'Máy quét', en: 'Scanner' },
  wedge: { vi: 'Máy quét (bàn phím)', en: 'Scanner (keyboard)' },
  camera: { vi: 'Camera', en: 'Camera' },
  manual: { vi: 'Nhập tay', en: 'Manual' },
  api: { vi: 'Màn hình', en: 'Screen' },
};

export const PURPOSE_TEXT: Record<string, Bilingual> = {
  work: { vi: 'Đi làm', en: 'Work' },
  medical: { vi: 'Khám chữa bệnh', en: 'Medical care' },
  goods: { vi: 'Vận chuyển hàng hoá', en: 'Goods transport' },
  official: { vi: 'Công vụ', en: 'Official duty' },
  emergency: { vi: 'Cấp cứu / khẩn cấp', en: 'Emergency' },
  essential: { vi: 'Mua nhu yếu phẩm', en: 'Essential shopping' },
  other: { vi: 'Lý do khác', en: 'Other' },
};

export const VEHICLE_TEXT: Record<string, Bilingual> = {
  motorbike: { vi: 'Xe máy', en: 'Motorbike' },
  car: { vi: 'Ô tô', en: 'Car' },
  truck: { vi: 'Xe tải', en: 'Truck' },
  bicycle: { vi: 'Xe đạp', en: 'Bicycle' },
  other: { vi: 'Khác', en: 'Other' },
  none: { vi: 'Đi bộ / không khai', en: 'On foot / none' },
};

export const AUDIT_KIND_TEXT: Record<string, Bilingual> = {
  login: { vi: 'Đăng nhập', en: 'Login' },
  login_failed: { vi: 'Đăng nhập sai', en: 'Failed login' },
  lockout: { vi: 'Khoá tài khoản', en: 'Account locked' },
  logout: { vi: 'Đăng xuất', en: 'Logout' },
  shift_open: { vi: 'Mở ca', en: 'Shift opened' },
  shift_close: { vi: 'Bàn giao / đóng ca', en: 'Shift handed over' },
  shift_signoff: { vi: 'Ký xác nhận ca', en: 'Shift signed off' },
  override: { vi: 'Cho qua thủ công', en: 'Override' },
  export: { vi: 'Xuất dữ liệu', en: 'Export' },
  verify: { vi: 'Kiểm tra sổ', en: 'Log verified' },
  user_create: { vi: 'Tạo tài khoản', en: 'Account created' },
  user_update: { vi: 'Sửa tài khoản', en: 'Account changed' },
  pin_change: { vi: 'Đổi PIN', en: 'PIN changed' },
  config_change: { vi: 'Đổi cấu hình', en: 'Configuration changed' },
  document: { vi: 'Tài liệu từ trung tâm', en: 'Document from the centre' },
  purge: { vi: 'Xoá dữ liệu cá nhân hết hạn', en: 'Personal data purged' },
  purge_start: { vi: 'Bắt đầu xoá dữ liệu cá nhân hết hạn', en: 'Personal data purge started' },
  startup: { vi: 'Khởi động máy', en: 'Kiosk started' },
  unreadable: { vi: 'Mã không đọc được', en: 'Unreadable code' },
  no_shift_scan: { vi: 'Quét khi chưa mở ca', en: 'Scan with no shift open' },
  amendment: { vi: 'Bổ sung giấy y tế', en: 'Completed by a health proof' },
  idn_key_rotate: { vi: 'Đổi khoá số giấy tờ', en: 'ID-number key rotated' },
};

export const CHAIN_PROBLEM_TEXT: Record<string, Bilingual> = {
  previous_hash: {
    vi: 'không nối với dòng trước (có dòng bị xoá hoặc chèn)',
    en: 'does not link to the row before (a row was deleted or inserted)',
  },
  hash: { vi: 'nội dung đã bị sửa', en: 'its content was edited' },
  personal_data: { vi: 'thông tin cá nhân đã bị sửa', en: 'its personal data was edited' },
  purge_incomplete: {
    vi: 'đánh dấu đã xoá nhưng dữ liệu cá nhân vẫn còn',
    en: 'marked purged but personal data remains',
  },
  sequence: { vi: 'thứ tự bị đứt (có dòng bị xoá)', en: 'the sequence is broken (a row was deleted)' },
  version: { vi: 'phiên bản dòng không hợp lệ', en: 'invalid row version' },
  id_tokens: {
    vi: 'mã tìm kiếm số giấy tờ đã bị sửa, xoá hoặc chép từ dòng khác',
    en: 'its ID-number search tokens were edited, removed or copied from another row',
  },
};

export const TABLE_TEXT: Record<'passages' | 'audit_events', Bilingual> = {
  passages: { vi: 'Lượt qua', en: 'Passage' },
  audit_events: { vi: 'Sự kiện', en: 'Audit event' },
};

export function label(map: Record<string, Bilingual>, key: string | null | undefined, lang: Lang): string {
  if (key === null || key === undefined) return '';
  return map[key]?.[lang] ?? key;
}
