// The demo checkpoint's accounts: one per role, PINs printed at start so a newcomer can log in. Only
// the demo writes them into kiosk.json; a real kiosk starts with a one-time admin PIN (README).
import type { BootstrapUser } from '../auth/service.js';

export const DEMO_ACCOUNTS: BootstrapUser[] = [
  { name: 'canbo', displayName: 'Trung sĩ Lê Văn Tám (demo)', role: 'guard', pin: '111111' },
  { name: 'chihuy', displayName: 'Đại uý Nguyễn Văn Bình (demo)', role: 'supervisor', pin: '222222' },
  { name: 'quantri', displayName: 'Kỹ thuật viên (demo)', role: 'admin', pin: '333333' },
];

export function printDemoAccounts(log: (line: string) => void = console.log): void {
  log('  Đăng nhập thử / demo logins (tên / PIN):');
  const roles = {
    guard: 'cán bộ trực / guard',
    supervisor: 'chỉ huy / supervisor',
    admin: 'quản trị / admin',
  };
  for (const a of DEMO_ACCOUNTS) log(`    ${a.name.padEnd(8)} ${a.pin}   ${roles[a.role]}`);
}
