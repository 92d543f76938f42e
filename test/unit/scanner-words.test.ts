// What the guard's screen says about the scanner, in words: the serial port's problems by cause
// (serial-scanner.ts portProblem), shown while the scanner cannot be used (renderer status-view.ts).
import { describe, expect, it } from 'vitest';
import { scannerProblem } from '../../renderer/src/status-view.js';
import type { KioskStatus } from '../../src/contract/api.js';
import { portProblem } from '../../src/hardware/serial-scanner.js';

describe('portProblem', () => {
  const errno = (code: string, message: string) => Object.assign(new Error(message), { code });

  it('names the causes a technician can act on', () => {
    expect(portProblem('/dev/ttyACM0', errno('ENOENT', 'No such file'), false).vi).toBe(
      'Không thấy máy quét ở /dev/ttyACM0: kiểm tra cáp USB; máy tự kết nối lại khi cắm vào',
    );
    expect(portProblem('/dev/ttyACM0', errno('EACCES', 'Permission denied'), true).en).toBe(
      "No permission to open /dev/ttyACM0: the kiosk's user must be in the dialout group",
    );
    // serialport reports some failures by message only.
    expect(
      portProblem('/dev/ttyACM0', new Error('Error: Permission denied, cannot open'), true).vi,
    ).toContain('nhóm dialout');
    expect(portProblem('/dev/ttyUSB0', errno('EBUSY', 'Resource busy'), true).en).toBe(
      '/dev/ttyUSB0 is in use by another program: close it',
    );
    expect(
      portProblem('/dev/ttyUSB0', new Error('Error Resource temporarily unavailable Cannot lock port'), true)
        .vi,
    ).toBe('Cổng /dev/ttyUSB0 đang bị chương trình khác dùng: đóng chương trình đó');
  });

  it("keeps the driver's message for anything else, and a port with no path", () => {
    expect(portProblem('/dev/ttyS0', 'ioctl failed', true)).toEqual({
      vi: 'Cổng máy quét /dev/ttyS0 báo lỗi (ioctl failed); đang thử kết nối lại',
      en: "The scanner's port /dev/ttyS0 failed (ioctl failed); retrying",
    });
    expect(portProblem(null, new Error('gone'), false).en).toContain('No scanner at ?');
  });
});

describe('scannerProblem', () => {
  const words = { vi: 'Không thấy máy quét', en: 'No scanner' };
  const status = (state: KioskStatus['scanner']['state'], problem?: typeof words | null) =>
    ({ scanner: { state, path: '/dev/ttyACM0', detail: 'ENOENT', problem } }) as KioskStatus;

  it('is shown while the scanner is missing or failing, and only then', () => {
    expect(scannerProblem(status('missing', words))).toEqual(words);
    expect(scannerProblem(status('error', words))).toEqual(words);
    expect(scannerProblem(status('ok', words))).toBeNull();
    expect(scannerProblem(status('none'))).toBeNull();
    // A kiosk that predates the words: the state pill alone.
    expect(scannerProblem(status('missing'))).toBeNull();
    expect(scannerProblem(null)).toBeNull();
  });
});
