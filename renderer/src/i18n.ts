// UI texts, Vietnamese first. Reason and decision words come from the shared src/contract/reason-words.ts
// so the screen, the CLI and the reports always say the same thing.
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { DECISION_TEXT, REASON_TEXT } from '../../src/contract/reason-words.js';
import { REASON_CODES } from '../../src/contract/reasons.js';

export type Lang = 'vi' | 'en';
const STORAGE_KEY = 'kiosk.lang';

const ui = {
  vi: {
    ready: 'Sẵn sàng quét',
    readyHint: 'Đưa mã QR vào máy quét',
    duplicate: 'ĐÃ QUÉT RỒI',
    duplicateHint: 'Kết quả lần trước',
    lastVerdict: 'Lần trước',
    name: 'Họ tên',
    id: 'Số CCCD',
    purpose: 'Mục đích',
    validity: 'Hiệu lực',
    vehicle: 'Phương tiện',
    issuer: 'Đơn vị cấp',
    areas: 'Khu vực',
    hours: 'Giờ được đi',
    org: 'Cơ quan',
    scannedText: 'Nội dung quét',
    noPermit: 'Không đọc được giấy đi đường',
    lane: 'Làn',
    dirIn: 'VÀO',
    dirOut: 'RA',
    scanner: 'Máy quét',
    scannerState: {
      ok: 'Hoạt động',
      missing: 'Không thấy',
      error: 'Lỗi',
      off: 'Tắt',
      none: 'Bàn phím / camera',
    },
    uplink: 'Trung tâm',
    uplinkOn: 'Đã kết nối',
    uplinkOff: 'Mất kết nối',
    uplinkDisabled: 'Không dùng',
    backlog: 'chờ gửi {{count}}',
    counts: 'Ca trực',
    allowed: 'Cho qua',
    denied: 'Không cho qua',
    review: 'Cần kiểm tra',
    recent: 'Lượt quét gần đây',
    noRecent: 'Chưa có lượt quét',
    demo: 'Quét thử',
    demoHint: 'Chế độ thử: bấm để quét một giấy mẫu',
    connectionLost: 'MẤT KẾT NỐI VỚI MÁY KIỂM SOÁT — đang kết nối lại…',
    themeNight: 'Giao diện đêm',
    themeDay: 'Giao diện ngày',
    again: 'lặp',
    from: 'từ',
    to: 'đến',
    purposes: {
      work: 'Đi làm',
      medical: 'Khám chữa bệnh',
      goods: 'Vận chuyển hàng hoá',
      official: 'Công vụ',
      emergency: 'Cấp cứu / khẩn cấp',
      essential: 'Mua nhu yếu phẩm',
      other: 'Lý do khác',
    },
    vehicles: { motorbike: 'Xe máy', car: 'Ô tô', truck: 'Xe tải', bicycle: 'Xe đạp', other: 'Khác' },
    kinds: { travel: 'Giấy đi đường', goods: 'Luồng xanh (hàng hoá)' },
    // What a scan became (contract/api.ts VerdictKind) where it is not a plain passage.
    scanKind: {
      notRecorded: 'CHƯA GHI ĐƯỢC',
      notRecordedDo: 'GHI VÀO SỔ GIẤY',
      fault: 'Nguyên nhân',
      checked: 'Kết quả kiểm tra giấy — chưa có trong sổ',
      checkedWord: { ALLOW: 'Giấy hợp lệ', DENY: 'Giấy bị từ chối', REVIEW: 'Giấy cần kiểm tra thêm' },
      noShift: 'CHƯA MỞ CA TRỰC',
      noShiftNotRecorded: 'Lượt quét này không được ghi, không được tính.',
      noShiftDo: 'Cán bộ đăng nhập và mở ca trực, rồi quét lại.',
      notCounted: 'Không tính lượt — quét lại',
      amended: 'Giấy y tế đã bổ sung cho lượt này',
      mark: {
        'not-recorded': 'CHƯA GHI',
        'no-shift': 'CHƯA MỞ CA',
        unreadable: 'KHÔNG TÍNH',
        'health-proof': 'GIẤY Y TẾ',
      },
      storeFault: 'SỔ GHI LỖI — ghi lượt qua vào sổ giấy',
      storeSince: 'từ',
      scannerSaid: 'Máy quét gửi dữ liệu lỗi',
    },
  },
  en: {
    ready: 'Ready to scan',
    readyHint: 'Hold the QR code to the scanner',
    duplicate: 'ALREADY SCANNED',
    duplicateHint: 'Earlier result',
    lastVerdict: 'Last',
    name: 'Name',
    id: 'ID number',
    purpose: 'Purpose',
    validity: 'Valid',
    vehicle: 'Vehicle',
    issuer: 'Issued by',
    areas: 'Areas',
    hours: 'Hours',
    org: 'Organisation',
    scannedText: 'Scanned text',
    noPermit: 'No travel permit could be read',
    lane: 'Lane',
    dirIn: 'IN',
    dirOut: 'OUT',
    scanner: 'Scanner',
    scannerState: {
      ok: 'Working',
      missing: 'Not found',
      error: 'Error',
      off: 'Off',
      none: 'Keyboard / camera',
    },
    uplink: 'Command centre',
    uplinkOn: 'Connected',
    uplinkOff: 'Disconnected',
    uplinkDisabled: 'Not used',
    backlog: '{{count}} queued',
    counts: 'This shift',
    allowed: 'Allowed',
    denied: 'Denied',
    review: 'Check',
    recent: 'Recent scans',
    noRecent: 'No scans yet',
    demo: 'Demo scans',
    demoHint: 'Demo mode: press to scan a sample permit',
    connectionLost: 'CONNECTION TO THE KIOSK LOST — reconnecting…',
    themeNight: 'Night view',
    themeDay: 'Day view',
    again: 'repeat',
    from: 'from',
    to: 'to',
    purposes: {
      work: 'Work',
      medical: 'Medical care',
      goods: 'Goods transport',
      official: 'Official duty',
      emergency: 'Emergency',
      essential: 'Essential shopping',
      other: 'Other',
    },
    vehicles: { motorbike: 'Motorbike', car: 'Car', truck: 'Truck', bicycle: 'Bicycle', other: 'Other' },
    kinds: { travel: 'Travel permit', goods: 'Green lane (goods)' },
    scanKind: {
      notRecorded: 'NOT RECORDED',
      notRecordedDo: 'WRITE IT ON THE PAPER LOG',
      fault: 'Cause',
      checked: 'What the permit check found — not in the log',
      checkedWord: { ALLOW: 'Permit valid', DENY: 'Permit refused', REVIEW: 'Permit needs checking' },
      noShift: 'NO SHIFT OPEN',
      noShiftNotRecorded: 'This scan was not recorded and not counted.',
      noShiftDo: 'A guard must log in and open a shift, then scan again.',
      notCounted: 'Not counted — scan again',
      amended: 'The health proof completed this passage',
      mark: {
        'not-recorded': 'NOT RECORDED',
        'no-shift': 'NO SHIFT',
        unreadable: 'NOT COUNTED',
        'health-proof': 'HEALTH PROOF',
      },
      storeFault: 'LOG FAULT — write passages on the paper log',
      storeSince: 'since',
      scannerSaid: 'The scanner sent bad data',
    },
  },
};

function shared(lang: Lang) {
  return {
    reason: Object.fromEntries(REASON_CODES.map((c) => [c, REASON_TEXT[c][lang]])),
    decision: Object.fromEntries(
      (Object.keys(DECISION_TEXT) as (keyof typeof DECISION_TEXT)[]).map((d) => [d, DECISION_TEXT[d][lang]]),
    ),
  };
}

export function storedLang(): Lang {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'vi';
  } catch {
    return 'vi';
  }
}

export function setLang(lang: Lang): void {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Storage may be disabled; the switch still works for this session.
  }
  document.documentElement.lang = lang;
  void i18next.changeLanguage(lang);
}

export function initI18n(): typeof i18next {
  const lng = storedLang();
  document.documentElement.lang = lng;
  void i18next.use(initReactI18next).init({
    lng,
    fallbackLng: 'vi',
    resources: {
      vi: { translation: { ...ui.vi, ...shared('vi') } },
      en: { translation: { ...ui.en, ...shared('en') } },
    },
    // React escapes everything it renders.
    interpolation: { escapeValue: false },
    initAsync: false,
  });
  return i18next;
}
