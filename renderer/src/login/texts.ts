// Words of the login, shift and handover screens, Vietnamese first. Picked by the i18next language so
// the one language switch changes them with the rest of the UI.
import { useTranslation } from 'react-i18next';

const vi = {
  title: 'Đăng nhập',
  subtitle: 'Cán bộ trực chốt và chỉ huy đăng nhập bằng mã PIN',
  name: 'Tên đăng nhập',
  pin: 'Mã PIN',
  login: 'ĐĂNG NHẬP',
  clear: 'Xoá',
  back: 'Xoá 1 số',
  wait: 'Đang kiểm tra…',
  switchLang: 'English',
  hello: 'Xin chào',
  openShift: 'MỞ CA TRỰC',
  openShiftHint: 'Mở ca để bắt đầu quét. Mọi lượt qua trong ca được ghi tên bạn.',
  previousNotes: 'Ghi chú bàn giao của ca trước',
  previousBy: 'Ca trước',
  noNotes: 'Ca trước không để lại ghi chú.',
  otherShift: (guard: string) =>
    `Ca của ${guard} đang mở. Người đó phải bàn giao (đóng ca) trước khi bạn mở ca mới.`,
  logout: 'Đăng xuất',
  shift: 'Ca',
  since: 'từ',
  handover: 'Bàn giao ca',
  handoverTitle: 'Bàn giao và đóng ca',
  handoverHint: 'Ghi lại những gì ca sau cần biết (sự cố, việc còn dở). Đóng ca xong bạn sẽ được đăng xuất.',
  notes: 'Ghi chú bàn giao',
  confirmHandover: 'ĐÓNG CA VÀ BÀN GIAO',
  cancel: 'Huỷ',
  roleGuard: 'Cán bộ trực',
  roleSupervisor: 'Chỉ huy / giám sát',
  roleAdmin: 'Quản trị',
  loading: 'Đang tải…',
  noShiftScanTitle: 'CHƯA MỞ CA TRỰC — LƯỢT VỪA QUÉT KHÔNG ĐƯỢC GHI',
  noShiftScanText: (time: string, lane: string) =>
    `Có mã quét lúc ${time} ở làn ${lane} khi chưa ai trực. Cán bộ hãy đăng nhập, mở ca rồi quét lại.`,
};

const en: typeof vi = {
  title: 'Log in',
  subtitle: 'Guards and supervisors log in with their PIN',
  name: 'User name',
  pin: 'PIN',
  login: 'LOG IN',
  clear: 'Clear',
  back: 'Delete digit',
  wait: 'Checking…',
  switchLang: 'Tiếng Việt',
  hello: 'Hello',
  openShift: 'OPEN SHIFT',
  openShiftHint: 'Open a shift to start scanning. Every passage in it is recorded under your name.',
  previousNotes: "Previous shift's handover notes",
  previousBy: 'Previous shift',
  noNotes: 'The previous shift left no notes.',
  otherShift: (guard: string) =>
    `${guard}'s shift is open. It must be handed over (closed) before you open a new one.`,
  logout: 'Log out',
  shift: 'Shift',
  since: 'since',
  handover: 'Hand over',
  handoverTitle: 'Hand over and close the shift',
  handoverHint:
    'Note what the next shift must know (incidents, unfinished work). You are logged out once it is closed.',
  notes: 'Handover notes',
  confirmHandover: 'CLOSE AND HAND OVER',
  cancel: 'Cancel',
  roleGuard: 'Guard',
  roleSupervisor: 'Supervisor',
  roleAdmin: 'Admin',
  loading: 'Loading…',
  noShiftScanTitle: 'NO SHIFT OPEN — THE LAST SCAN WAS NOT RECORDED',
  noShiftScanText: (time: string, lane: string) =>
    `A code was scanned at ${time} at lane ${lane} with nobody on duty. Log in, open a shift and scan it again.`,
};

export type LoginText = typeof vi;

export function useLoginText(): { t: LoginText; lang: 'vi' | 'en' } {
  const { i18n } = useTranslation();
  const lang = i18n.language === 'en' ? 'en' : 'vi';
  return { t: lang === 'en' ? en : vi, lang };
}
