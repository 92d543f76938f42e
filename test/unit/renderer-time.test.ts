// The screens' dates and the supervisor's typed dates, in Vietnam time whatever the machine's zone,
// through the one Vietnam-time module (src/contract/time.ts).
import { describe, expect, it } from 'vitest';
import { formatVnDate, formatVnDateTime, formatVnTime } from '../../renderer/src/format.js';
import { parseVnDateTime, vnDay, vnDayRange } from '../../renderer/src/supervisor/util.js';

describe('renderer dates', () => {
  it('shows an instant in Vietnam time, and unparseable input as it came', () => {
    expect(formatVnDateTime('2021-09-09T17:05:00Z')).toBe('10/09/2021 00:05');
    expect(formatVnTime('2021-09-09T17:05:09Z')).toBe('00:05:09');
    expect(formatVnTime(Date.parse('2021-09-09T17:05:09Z'), false)).toBe('00:05');
    expect(formatVnDate('2021-09-09T16:59:59Z')).toBe('09/09/2021');
    expect(formatVnDateTime('soon')).toBe('soon');
  });

  it('reads what a supervisor types as Vietnam time; impossible dates are refused', () => {
    expect(parseVnDateTime('10/09/2021 08:30')).toBe('2021-09-10T01:30:00.000Z');
    expect(parseVnDateTime('1/9/2021')).toBe('2021-08-31T17:00:00.000Z');
    expect(parseVnDateTime('  ')).toBeUndefined();
    for (const bad of ['31/02/2021', '10/09/2021 25:00', '2021-09-10'])
      expect(parseVnDateTime(bad)).toBeNull();
    expect(vnDay(Date.parse('2021-09-09T17:00:00Z'))).toBe('10/09/2021');
    expect(vnDayRange('10/09/2021')).toEqual({
      from: '2021-09-09T17:00:00.000Z',
      to: '2021-09-10T17:00:00.000Z',
    });
  });
});
