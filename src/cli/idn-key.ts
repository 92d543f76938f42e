// `kiosk idn-key rotate`: replaces the key of the ID-number search tokens (src/store/idn-rotate.ts).
import type { Command } from 'commander';
import { loadSettings } from '../config/settings.js';
import { openIdnKey } from '../store/idn-key-file.js';
import { resumeRotation, rotateIdnKey } from '../store/idn-rotate.js';
import { openKioskDatabase } from '../store/store.js';
import { reportCliError } from './common.js';

interface RotateOptions {
  config: string;
}

function rotate(opts: RotateOptions): void {
  const s = loadSettings(opts.config);
  const db = openKioskDatabase(s.database);
  try {
    const resumed = resumeRotation(db, s.idnKeyFile);
    if (resumed) {
      process.stdout.write(`${JSON.stringify({ keyFile: s.idnKeyFile, resumed: true, to: resumed })}\n`);
      process.stderr.write('Đã hoàn tất lần đổi khoá bị gián đoạn / finished an interrupted rotation.\n');
      return;
    }
    // Opening checks the key file (mode, fingerprint) and finishes a migration from the old in-database key.
    openIdnKey(db, { keyFile: s.idnKeyFile, dbFile: s.database });
    const r = rotateIdnKey(db, {
      keyFile: s.idnKeyFile,
      dbFile: s.database,
      nowMs: Date.now(),
      by: 'kiosk idn-key rotate',
    });
    process.stdout.write(`${JSON.stringify({ keyFile: s.idnKeyFile, ...r })}\n`);
    process.stderr.write(
      `Đã đổi khoá, ${r.rekeyed} lượt qua / key rotated, ${r.rekeyed} passages re-keyed.\n` +
        'Hãy sao lưu tệp khoá mới (bản sao khoá cũ không còn dùng được) / back up the new key file ' +
        '(copies of the old one are now useless).\n',
    );
  } finally {
    db.close();
  }
}

export function register(program: Command): void {
  const idn = program
    .command('idn-key')
    .description('Khoá mã tìm kiếm số giấy tờ / the ID-number search key');
  idn
    .command('rotate')
    .description(
      'Đổi khoá và mã hoá lại mọi mã tìm kiếm / new key, every search token re-keyed (kiosk stopped)',
    )
    .option('-c, --config <file>', 'kiosk.json', 'kiosk.json')
    .addHelpText(
      'after',
      '\nStop the kiosk first. Prints {"keyFile","rekeyed","eventId","from","to","leftInFile","tookMs"};\n' +
        'the rotation is an `idn_key_rotate` event in the audit chain. Run it again if it was interrupted.',
    )
    .action((opts: RotateOptions) => {
      try {
        rotate(opts);
      } catch (err) {
        reportCliError('idn-key rotate', err);
      }
    });
}
