// Dashboard texts, Vietnamese first. Reason and decision words come from src/contract/reason-words.ts, so
// the command centre says exactly what the kiosk screen said.
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { DECISION_TEXT, REASON_TEXT } from '../../../src/contract/reason-words.js';
import { REASON_CODES } from '../../../src/contract/reasons.js';

export type Lang = 'vi' | 'en';
const STORAGE_KEY = 'cc.lang';

const ui = {
  vi: {
    title: 'Trung tâm chỉ huy',
    subtitle: 'Chốt kiểm soát Hà Nội',
    tabOverview: 'Tổng quan',
    tabPublish: 'Phát tài liệu',
    broker: 'Máy chủ MQTT',
    brokerOn: 'Đã kết nối',
    brokerOff: 'Mất kết nối',
    streamLost: 'MẤT KẾT NỐI VỚI MÁY CHỦ TRUNG TÂM — đang kết nối lại…',
    loading: 'Đang tải…',
    kpiOnline: 'Chốt trực tuyến',
    kpiOffline: 'Chốt mất liên lạc',
    kpiPeople: 'Người đã kiểm tra hôm nay',
    kpiAllowed: 'Cho qua hôm nay',
    kpiDenied: 'Không cho qua hôm nay',
    kpiReview: 'Cần kiểm tra hôm nay',
    checkpoints: 'Các chốt',
    checkpoint: 'Chốt',
    district: 'Quận/huyện',
    allDistricts: 'Tất cả quận/huyện',
    search: 'Tìm chốt',
    state: 'Trạng thái',
    online: 'Trực tuyến',
    offline: 'Mất liên lạc',
    silent: 'Im lặng',
    lastSeen: 'Liên lạc lần cuối',
    never: 'chưa từng',
    backlog: 'Chờ gửi',
    scanner: 'Máy quét',
    scannerState: { ok: 'Tốt', missing: 'Không thấy', error: 'Lỗi' },
    today: 'Hôm nay',
    allowed: 'Cho qua',
    denied: 'Không cho qua',
    review: 'Cần kiểm tra',
    people: 'Số người',
    overridden: 'Cho qua ngoại lệ',
    noCheckpoints: 'Chưa có chốt nào gửi tin',
    alerts: 'Cảnh báo và từ chối',
    alertsOnly: 'Chỉ cảnh báo',
    noAlerts: 'Chưa có cảnh báo',
    dirIn: 'vào',
    dirOut: 'ra',
    lane: 'làn',
    eventKinds: {
      denial: 'Từ chối',
      override: 'Cho qua ngoại lệ',
      'revoked-presented': 'Giấy đã thu hồi',
      'unknown-issuer': 'Đơn vị cấp lạ',
      'repeated-failures': 'Lỗi lặp lại',
      'scanner-lost': 'Mất máy quét',
      tamper: 'Sổ bị sửa',
    },
    hourly: 'Theo giờ (24 giờ qua)',
    byDistrict: 'Theo quận/huyện (hôm nay)',
    checkpointsShort: 'chốt',
    rejected: 'Tin nhắn bị loại',
    rejectedReasons: {
      topic: 'sai chủ đề',
      'too-large': 'quá lớn',
      json: 'không phải JSON',
      schema: 'sai cấu trúc',
      scope: 'sai chốt',
      'too-old': 'quá cũ',
    },
    ago: {
      now: 'vừa xong',
      s: '{{n}} giây trước',
      m: '{{n}} phút trước',
      h: '{{n}} giờ trước',
      d: '{{n}} ngày trước',
    },
    publish: {
      heading: 'Ký và phát tài liệu xuống các chốt',
      keyNote: 'Khoá ký nằm trên máy chủ trung tâm (mã khoá {{kid}}); trình duyệt không bao giờ thấy khoá.',
      noKey: 'Máy chủ trung tâm chạy không có khoá ký: không phát được tài liệu.',
      kinds: {
        zones: 'Bản đồ vùng dịch',
        revocations: 'Danh sách thu hồi',
        trust: 'Danh sách tin cậy',
        config: 'Cấu hình chốt',
      },
      hints: {
        zones:
          'Mức: red (đỏ), orange (da cam), yellow (vàng), green (xanh). Mã vùng dạng 01-009 hoặc 01-009-00337.',
        revocations:
          'mode "full" thay toàn bộ danh sách; "delta" cần base = phiên bản trước. Mỗi mục là SHA-256 hex của "iss/cti".',
        trust: 'Các đơn vị được cấp giấy: khoá công khai (base64 DER SPKI), thời hạn, loại giấy, khu vực.',
        config: 'Chính sách một phần cho một chốt, hoặc "*" cho mọi chốt trong quận/huyện.',
      },
      district: 'Quận/huyện nhận cấu hình',
      payload: 'Nội dung (JSON)',
      template: 'Mẫu',
      submit: 'Ký và phát',
      sending: 'Đang ký và phát…',
      done: 'Đã phát {{typ}} phiên bản {{version}} lên {{topic}}',
      retained: 'máy chủ giữ lại cho chốt kết nối sau',
      notRetained: 'không giữ lại',
      badJson: 'Nội dung không phải JSON hợp lệ',
      published: 'Đã phát gần đây',
      acks: 'Phản hồi từ các chốt',
      noAcks: 'Chưa có phản hồi',
      applied: 'Đã áp dụng',
      refused: 'Từ chối',
      version: 'Phiên bản',
      type: 'Loại',
      topic: 'Chủ đề',
      time: 'Lúc',
      error: 'Lỗi',
    },
  },
  en: {
    title: 'Command centre',
    subtitle: 'Hà Nội checkpoints',
    tabOverview: 'Overview',
    tabPublish: 'Publish documents',
    broker: 'MQTT broker',
    brokerOn: 'Connected',
    brokerOff: 'Disconnected',
    streamLost: 'CONNECTION TO THE COMMAND CENTRE SERVER LOST — reconnecting…',
    loading: 'Loading…',
    kpiOnline: 'Checkpoints online',
    kpiOffline: 'Checkpoints out of contact',
    kpiPeople: 'People checked today',
    kpiAllowed: 'Allowed today',
    kpiDenied: 'Denied today',
    kpiReview: 'To check today',
    checkpoints: 'Checkpoints',
    checkpoint: 'Checkpoint',
    district: 'District',
    allDistricts: 'All districts',
    search: 'Find a checkpoint',
    state: 'State',
    online: 'Online',
    offline: 'Out of contact',
    silent: 'Silent',
    lastSeen: 'Last heard',
    never: 'never',
    backlog: 'Queued',
    scanner: 'Scanner',
    scannerState: { ok: 'OK', missing: 'Not found', error: 'Error' },
    today: 'Today',
    allowed: 'Allowed',
    denied: 'Denied',
    review: 'To check',
    people: 'People',
    overridden: 'Overridden',
    noCheckpoints: 'No checkpoint has reported yet',
    alerts: 'Alerts and denials',
    alertsOnly: 'Alerts only',
    noAlerts: 'No alerts yet',
    dirIn: 'in',
    dirOut: 'out',
    lane: 'lane',
    eventKinds: {
      denial: 'Denied',
      override: 'Overridden',
      'revoked-presented': 'Revoked permit',
      'unknown-issuer': 'Unknown issuer',
      'repeated-failures': 'Repeated failures',
      'scanner-lost': 'Scanner lost',
      tamper: 'Log tampered',
    },
    hourly: 'By hour (last 24 h)',
    byDistrict: 'By district (today)',
    checkpointsShort: 'checkpoints',
    rejected: 'Rejected messages',
    rejectedReasons: {
      topic: 'bad topic',
      'too-large': 'too large',
      json: 'not JSON',
      schema: 'bad structure',
      scope: 'wrong checkpoint',
      'too-old': 'too old',
    },
    ago: { now: 'just now', s: '{{n}} s ago', m: '{{n}} min ago', h: '{{n}} h ago', d: '{{n}} days ago' },
    publish: {
      heading: 'Sign and publish documents to the checkpoints',
      keyNote:
        'The signing key stays on the command-centre server (key id {{kid}}); the browser never sees it.',
      noKey: 'The command-centre server runs without a signing key: publishing is disabled.',
      kinds: {
        zones: 'Zone map',
        revocations: 'Revocation list',
        trust: 'Trust list',
        config: 'Checkpoint config',
      },
      hints: {
        zones: 'Levels: red, orange, yellow, green. Area codes like 01-009 or 01-009-00337.',
        revocations:
          'mode "full" replaces the list; "delta" needs base = the previous version. Entries are hex SHA-256 of "iss/cti".',
        trust: 'The permit issuers: public key (base64 DER SPKI), validity, permit kinds, areas.',
        config: 'A partial policy for one checkpoint, or "*" for every checkpoint of the district.',
      },
      district: 'District receiving the config',
      payload: 'Content (JSON)',
      template: 'Template',
      submit: 'Sign and publish',
      sending: 'Signing and publishing…',
      done: 'Published {{typ}} version {{version}} to {{topic}}',
      retained: 'retained for checkpoints that connect later',
      notRetained: 'not retained',
      badJson: 'The content is not valid JSON',
      published: 'Recently published',
      acks: 'Answers from the checkpoints',
      noAcks: 'No answers yet',
      applied: 'Applied',
      refused: 'Refused',
      version: 'Version',
      type: 'Type',
      topic: 'Topic',
      time: 'At',
      error: 'Error',
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
    // Storage disabled: the switch holds for this session.
  }
  document.documentElement.lang = lang;
  void i18next.changeLanguage(lang);
}

export function initI18n(): void {
  const lng = storedLang();
  document.documentElement.lang = lng;
  void i18next.use(initReactI18next).init({
    lng,
    fallbackLng: 'vi',
    resources: {
      vi: { translation: { ...ui.vi, ...shared('vi') } },
      en: { translation: { ...ui.en, ...shared('en') } },
    },
    interpolation: { escapeValue: false },
    initAsync: false,
  });
}
