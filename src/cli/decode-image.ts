// `kiosk decode-image FILE…` (spec/cli.md): the QR code in each still image, through the decoder the
// camera uses. One JSON line per file, in order; a file without a code is a result, not a failure.
import type { Command } from 'commander';
import { KioskError } from '../contract/errors.js';
import { reportCliError } from './common.js';

export type DecodeImageLine =
  | { file: string; text: string }
  | { file: string; error: 'NOT_FOUND' }
  | { file: string; error: 'UNREADABLE'; vi: string; en: string };

/** Decodes one file into its output line; never throws for a bad file. */
export async function decodeImageLine(file: string): Promise<DecodeImageLine> {
  // Loaded on use: zxing and the image codecs would slow every other sub-command's start.
  const { decodeImageFile } = await import('../hardware/qr-decoder.js');
  try {
    const text = await decodeImageFile(file);
    return text === null ? { file, error: 'NOT_FOUND' } : { file, text };
  } catch (err) {
    if (err instanceof KioskError) return { file, error: 'UNREADABLE', vi: err.vi, en: err.en };
    throw err;
  }
}

export function register(program: Command): void {
  program
    .command('decode-image')
    .description('Đọc mã QR trong ảnh PNG/JPEG / decode the QR code in PNG or JPEG images')
    .argument('<file...>', 'PNG or JPEG images')
    .addHelpText(
      'after',
      `
Prints one JSON line per file, in order:
  {"file","text"}                          the code's text
  {"file","error":"NOT_FOUND"}             a readable image without a readable QR code
  {"file","error":"UNREADABLE","vi","en"}  not a PNG/JPEG, broken, too large, or cannot be opened
Exit 0 when every file was processed.`,
    )
    .action(async (files: string[]) => {
      try {
        for (const file of files) {
          process.stdout.write(`${JSON.stringify(await decodeImageLine(file))}\n`);
        }
      } catch (err) {
        reportCliError('decode-image', err);
      }
    });
}
