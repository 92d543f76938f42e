// `kiosk command-centre accounts`: the command centre's operator accounts from the shell, on its
// database. The first admin is made here (no account can log in to make it); every change is audited
// as the dashboard's are, with `source: cli`. A password comes from $CC_PASSWORD, or is made and shown once.
import type { Command } from 'commander';
import { reportCliError } from './common.js';

interface AccountCliOptions {
  db: string;
  name?: string;
  displayName?: string;
  role?: string;
  scope?: string;
  disable?: boolean;
  enable?: boolean;
  resetPassword?: boolean;
  pinCost?: string;
}

async function withOperators<T>(
  db: string,
  fn: (ops: import('../../command-centre/server/operators.js').Operators) => Promise<T>,
): Promise<T> {
  const { openStore } = await import('../../command-centre/server/run.js');
  const { Operators } = await import('../../command-centre/server/operators.js');
  // The command centre's own database, SQLite file or PostgreSQL URL: accounts live with the ledger.
  const store = await openStore(db);
  try {
    return await fn(new Operators(store.operatorStore()));
  } finally {
    await store.close();
  }
}

/** The password to set: $CC_PASSWORD, or a new random one that is printed once. */
async function password(): Promise<{ value: string; shown: boolean }> {
  const { Operators } = await import('../../command-centre/server/operators.js');
  const env = process.env.CC_PASSWORD;
  return env ? { value: env, shown: false } : { value: Operators.randomPassword(), shown: true };
}

function print(a: { id: number; name: string; role: string; scope: unknown; disabled: boolean }): void {
  const scope = a.scope === 'city' ? 'city' : (a.scope as string[]).join(',');
  console.log(`${a.id}\t${a.name}\t${a.role}\t${scope}${a.disabled ? '\t(disabled)' : ''}`);
}

export function registerAccounts(parent: Command): void {
  const accounts = parent
    .command('accounts')
    .description('Tài khoản người vận hành trung tâm / command-centre operator accounts');
  accounts
    .command('add')
    .description('tạo tài khoản / create an account (the first admin: --role admin --scope city)')
    .requiredOption('--name <name>', 'login name')
    .requiredOption('--role <role>', 'viewer | operator | publisher | admin')
    .requiredOption('--scope <scope>', '"city", or district codes separated by commas')
    .option('--display-name <text>', 'name shown in the dashboard and the audit log')
    .action(async (_o: AccountCliOptions, cmd: Command) => {
      // --db is the parent's option (`kiosk command-centre --db`), which commander parses wherever it stands.
      const o = cmd.optsWithGlobals<AccountCliOptions>();
      try {
        const pw = await password();
        const view = await withOperators(o.db, (ops) =>
          ops.createAccount(null, {
            name: o.name,
            displayName: o.displayName ?? o.name,
            role: o.role,
            scope: o.scope,
            password: pw.value,
          }),
        );
        print(view);
        if (pw.shown) console.log(`Mật khẩu / password (shown once): ${pw.value}`);
      } catch (err) {
        reportCliError('command-centre accounts add', err);
      }
    });
  accounts
    .command('list')
    .description('liệt kê / list accounts')
    .action(async (_o: AccountCliOptions, cmd: Command) => {
      // --db is the parent's option (`kiosk command-centre --db`), which commander parses wherever it stands.
      const o = cmd.optsWithGlobals<AccountCliOptions>();
      try {
        const list = await withOperators(o.db, (ops) => ops.store.listAccounts());
        for (const a of list) print(a);
      } catch (err) {
        reportCliError('command-centre accounts list', err);
      }
    });
  accounts
    .command('set')
    .description('đổi vai trò, phạm vi, khoá, mật khẩu / change role, scope, enable, password')
    .requiredOption('--name <name>', 'login name')
    .option('--role <role>', 'viewer | operator | publisher | admin')
    .option('--scope <scope>', '"city", or district codes separated by commas')
    .option('--disable', 'disable the account (its sessions end)')
    .option('--enable', 'enable it again')
    .option('--reset-password', 'a new password ($CC_PASSWORD, or shown once)')
    .action(async (_o: AccountCliOptions, cmd: Command) => {
      // --db is the parent's option (`kiosk command-centre --db`), which commander parses wherever it stands.
      const o = cmd.optsWithGlobals<AccountCliOptions>();
      try {
        const pw = o.resetPassword ? await password() : null;
        const view = await withOperators(o.db, async (ops) => {
          const a = await ops.store.accountByName(o.name ?? '');
          if (!a) {
            const { KioskError } = await import('../contract/errors.js');
            throw new KioskError('USER_NOT_FOUND', `Không có tài khoản ${o.name}`, `No account ${o.name}`);
          }
          return ops.updateAccount(null, a.id, {
            ...(o.role !== undefined && { role: o.role }),
            ...(o.scope !== undefined && { scope: o.scope }),
            ...(o.disable && { disabled: true }),
            ...(o.enable && { disabled: false }),
            ...(pw && { password: pw.value }),
          });
        });
        print(view);
        if (pw?.shown) console.log(`Mật khẩu / password (shown once): ${pw.value}`);
      } catch (err) {
        reportCliError('command-centre accounts set', err);
      }
    });
}
