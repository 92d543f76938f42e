// Words of the guard's lane screens, Vietnamese first. Added to i18next under `guard.` on first use,
// beside the scan screen's texts (renderer/src/i18n.ts), whose purposes and vehicle names we reuse.
import { useTranslation } from 'react-i18next';

const vi = {
  vehicle: 'Phương tiện',
  vehicleHere: 'Xe ghi nhận tại chốt',
  onFoot: 'Đi bộ',
  plate: 'Biển số',
  platePlaceholder: 'VD: 29A-123.45',
  passengers: 'Người đi cùng',
  fewer: 'Bớt một người',
  more: 'Thêm một người',
  clear: 'Xoá',
  nextScan: 'Áp dụng cho lần quét tiếp theo',
  notSent: 'Chưa áp dụng: sửa biển số',
  withPassengers: '{{count}} người đi cùng',
  override: 'CHO QUA (ghi lý do)',
  overrideTitle: 'Cho qua theo quyết định của cán bộ',
  overrideHint: 'Giữ nguyên kết quả kiểm tra; ghi rõ vì sao vẫn cho qua (ít nhất 10 ký tự).',
  reason: 'Lý do',
  reasonCount: '{{count}}/10 ký tự',
  quick: 'Chọn nhanh',
  quickReasons: [
    'Xe cấp cứu chở bệnh nhân',
    'Công vụ khẩn, đã kiểm tra giấy tờ',
    'Đã xác minh với công an phường',
    'Trẻ em đi cùng người có giấy',
  ],
  confirmOverride: 'XÁC NHẬN CHO QUA',
  supervisorApproval: 'Chỉ huy duyệt: tên đăng nhập / mã PIN',
  supervisorName: 'Tên đăng nhập của chỉ huy',
  supervisorPin: 'Mã PIN của chỉ huy',
  cancel: 'Huỷ',
  overridden: 'ĐÃ CHO QUA — cán bộ quyết định',
  overriddenBy: 'Người quyết định',
  manual: 'Ghi tay',
  manualSub: 'người không có mã QR',
  manualTitle: 'Ghi tay người không có mã QR',
  manualHint: 'Máy không kiểm tra được: cán bộ kiểm tra giấy tờ và quyết định.',
  name: 'Họ và tên',
  idNumber: 'Số CCCD / CMND / hộ chiếu',
  purpose: 'Mục đích',
  letIn: 'CHO QUA',
  refuse: 'KHÔNG CHO QUA',
  manualRecorded: 'GHI TAY',
  camera: 'Camera',
  cameraSub: 'quét khi không có máy quét',
  cameraTitle: 'Camera',
  cameraChoose: 'Chọn camera',
  cameraStart: 'Bật camera',
  cameraStop: 'Tắt camera',
  cameraLooking: 'Đưa mã QR vào khung hình',
  cameraRead: 'Đã đọc mã — chờ giây lát',
  cameraDenied: 'Không mở được camera (chưa cho phép hoặc không có camera)',
  cameraNone: 'Không có camera',
  lane: 'Làn',
  actions: 'Thao tác',
  wedgeReady: 'Máy quét bàn phím: sẵn sàng',
};

type Texts = typeof vi;

const en: Texts = {
  vehicle: 'Vehicle',
  vehicleHere: 'Vehicle seen here',
  onFoot: 'On foot',
  plate: 'Plate',
  platePlaceholder: 'e.g. 29A-123.45',
  passengers: 'Passengers',
  fewer: 'One passenger fewer',
  more: 'One passenger more',
  clear: 'Clear',
  nextScan: 'For the next scan',
  notSent: 'Not applied: fix the plate',
  withPassengers: '{{count}} passengers',
  override: 'LET THROUGH (give reason)',
  overrideTitle: 'Let through on the guard’s decision',
  overrideHint: 'The check result is kept; write why you let the person through (10 characters or more).',
  reason: 'Reason',
  reasonCount: '{{count}}/10 characters',
  quick: 'Quick reasons',
  quickReasons: [
    'Ambulance with a patient',
    'Urgent official duty, papers checked',
    'Confirmed with the ward police',
    'Child travelling with a permit holder',
  ],
  confirmOverride: 'CONFIRM: LET THROUGH',
  supervisorApproval: 'Supervisor approval: username / PIN',
  supervisorName: 'Supervisor’s username',
  supervisorPin: 'Supervisor’s PIN',
  cancel: 'Cancel',
  overridden: 'LET THROUGH — guard’s decision',
  overriddenBy: 'Decided by',
  manual: 'By hand',
  manualSub: 'a person with no QR code',
  manualTitle: 'Record a person with no QR code',
  manualHint: 'The kiosk cannot check this: check the papers and decide.',
  name: 'Full name',
  idNumber: 'ID / passport number',
  purpose: 'Purpose',
  letIn: 'LET THROUGH',
  refuse: 'REFUSE',
  manualRecorded: 'BY HAND',
  camera: 'Camera',
  cameraSub: 'scan without a scanner',
  cameraTitle: 'Camera',
  cameraChoose: 'Camera',
  cameraStart: 'Start camera',
  cameraStop: 'Stop camera',
  cameraLooking: 'Hold the QR code in the frame',
  cameraRead: 'Code read — one moment',
  cameraDenied: 'Cannot open the camera (not allowed, or none)',
  cameraNone: 'No camera',
  lane: 'Lane',
  actions: 'Actions',
  wedgeReady: 'Keyboard scanner: ready',
};

let added = false;

/** t() for `guard.*` keys (and the scan screen's own keys, unprefixed, via `tt`). */
export function useGuardText() {
  const { t, i18n } = useTranslation();
  if (!added && i18n.isInitialized) {
    i18n.addResourceBundle('vi', 'translation', { guard: vi }, true, false);
    i18n.addResourceBundle('en', 'translation', { guard: en }, true, false);
    added = true;
  }
  const lang: 'vi' | 'en' = i18n.language === 'en' ? 'en' : 'vi';
  return {
    g: (key: keyof Texts, opts?: Record<string, unknown>) => t(`guard.${key}`, opts ?? {}) as string,
    quickReasons: (lang === 'en' ? en : vi).quickReasons,
    t,
    lang,
  };
}
