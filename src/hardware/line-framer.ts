// Turns the raw byte stream of a serial QR scanner into scans: one code per line (or per burst, for
// scanners set to send no suffix). Pure and bounded: the buffer never holds more than `maxLength` bytes,
// whatever arrives, and bytes that are not printable text never become scans.

export type ScannerSuffix = 'CR' | 'LF' | 'CRLF' | 'auto' | 'none';

/** Longest code we accept (bytes, terminator excluded); matches the kiosk API's scan limit. */
export const MAX_FRAME_BYTES = 8192;

export type FrameDropCode = 'LINE_TOO_LONG' | 'NOT_TEXT';

/** What a push yields, in arrival order: a scan, or a diagnostic about bytes that were dropped. */
export type FramerOutput =
  | { kind: 'scan'; text: string }
  | { kind: 'dropped'; code: FrameDropCode; bytes: number; vi: string; en: string };

export interface LineFramerOptions {
  suffix: ScannerSuffix;
  maxLength?: number;
}

const CR = 0x0d;
const LF = 0x0a;

// Control characters other than tab (C0, DEL, C1): a scanner never sends them inside a code, so a frame
// holding one is line noise, a wrong baud rate or a binary blob.
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}

export class LineFramer {
  readonly maxLength: number;
  private readonly suffix: ScannerSuffix;
  private readonly buf: Buffer;
  private len = 0;
  /** Set while skipping the rest of an over-long line, up to its terminator (or gap, for `none`). */
  private discarding = false;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });

  constructor(options: LineFramerOptions) {
    this.suffix = options.suffix;
    this.maxLength = options.maxLength ?? MAX_FRAME_BYTES;
    this.buf = Buffer.alloc(this.maxLength);
  }

  /** Bytes held for the line in progress; never more than maxLength. */
  get bufferedLength(): number {
    return this.len;
  }

  /** Feed bytes as they arrive; returns the scans (and drops) completed by them. */
  push(chunk: Uint8Array): FramerOutput[] {
    const out: FramerOutput[] = [];
    let start = 0;
    while (start < chunk.length) {
      const end = this.findTerminator(chunk, start);
      if (end === -1) {
        this.append(chunk, start, chunk.length, out);
        break;
      }
      this.append(chunk, start, end, out);
      this.endFrame(out);
      start = end + 1;
    }
    return out;
  }

  /** Ends the line in progress: the driver calls it after an inter-byte gap when the suffix is `none`. */
  flush(): FramerOutput[] {
    const out: FramerOutput[] = [];
    this.endFrame(out);
    return out;
  }

  /** Forgets a partial line, e.g. when the port was lost mid-code. */
  reset(): void {
    this.len = 0;
    this.discarding = false;
  }

  private findTerminator(chunk: Uint8Array, from: number): number {
    switch (this.suffix) {
      case 'CR':
        return chunk.indexOf(CR, from);
      // A CRLF line ends at its LF; the CR left before it is stripped in endFrame.
      case 'LF':
      case 'CRLF':
        return chunk.indexOf(LF, from);
      case 'auto': {
        // The LF of a CRLF then ends an empty line, which endFrame ignores: no empty second scan.
        for (let i = from; i < chunk.length; i++) if (chunk[i] === CR || chunk[i] === LF) return i;
        return -1;
      }
      case 'none':
        return -1;
    }
  }

  private append(chunk: Uint8Array, from: number, to: number, out: FramerOutput[]): void {
    const n = to - from;
    if (n === 0 || this.discarding) return;
    if (this.len + n > this.maxLength) {
      // Drop now rather than at the terminator: a line with no end must not be buffered.
      out.push(drop('LINE_TOO_LONG', this.len + n, this.maxLength));
      this.len = 0;
      this.discarding = true;
      return;
    }
    this.buf.set(chunk.subarray(from, to), this.len);
    this.len += n;
  }

  private endFrame(out: FramerOutput[]): void {
    if (this.discarding) {
      this.discarding = false;
      this.len = 0;
      return;
    }
    if (this.len === 0) return;
    const bytes = this.buf.subarray(0, this.len);
    this.len = 0;
    let text: string;
    try {
      text = this.decoder.decode(bytes);
    } catch {
      out.push(drop('NOT_TEXT', bytes.length, this.maxLength));
      return;
    }
    // Only line ends are stripped: spec/permit-format.md accepts a code "with trailing CR/LF removed",
    // and anything else (even a space, which is in the base45 alphabet) is part of the scan.
    text = text.replace(/^[\r\n]+|[\r\n]+$/g, '');
    if (text.trim() === '') return;
    if (hasControl(text)) {
      out.push(drop('NOT_TEXT', bytes.length, this.maxLength));
      return;
    }
    out.push({ kind: 'scan', text });
  }
}

function drop(code: FrameDropCode, bytes: number, max: number): FramerOutput {
  if (code === 'LINE_TOO_LONG') {
    return {
      kind: 'dropped',
      code,
      bytes,
      vi: `Bỏ qua dòng quét dài quá ${max} byte`,
      en: `Dropped a scanned line longer than ${max} bytes`,
    };
  }
  return {
    kind: 'dropped',
    code,
    bytes,
    vi: `Bỏ qua ${bytes} byte không phải văn bản (nhiễu hoặc sai tốc độ baud?)`,
    en: `Dropped ${bytes} bytes that are not text (line noise or wrong baud rate?)`,
  };
}
