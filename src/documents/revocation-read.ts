// Reading a `vnp-revocations+jws` document into packed binary lists. A full list of a million entries
// is ~85 MiB of JWS: parsing it takes about a second of CPU, so large ones are read in a worker thread
// and the scan path never waits for them; small deltas are read in place.

import type { KeyObject } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { z } from 'zod';
import { log } from '../base/log.js';
import { workerSource } from '../base/worker-source.js';
import type { ApiError } from '../contract/api.js';
import { DOCUMENT_TYPES } from '../contract/document-jws.js';
import { describeZodError } from '../contract/documents.js';
import { KioskError } from '../contract/errors.js';
import { type PackedProblem, unpackChecked } from '../contract/revocation-packing.js';
import { documentText, verifyAs } from './inspect.js';
import { malformed, refusal } from './refusal.js';
import { type FieldValue, verifyBytes } from './revocation-bytes.js';
import { packHashes, yieldToLoop } from './revocation-index.js';

/** The fields of RevocationsPayload (schemas.ts) other than the lists, which are checked as they are packed. */
const RevocationsHeader = z
  .object({
    version: z.number().int().min(0),
    issued: z.number().int().min(0),
    mode: z.enum(['full', 'delta']),
    base: z.number().int().min(0).optional(),
  })
  .refine((d) => d.mode === 'full' || d.base !== undefined, {
    message: 'a delta needs base',
    path: ['base'],
  });

export interface RevocationsRead {
  version: number;
  issued: number;
  mode: 'full' | 'delta';
  base: number | undefined;
  /** Packed 32-byte hashes, sorted, unique. */
  add: Buffer;
  remove: Buffer;
}

/**
 * Verifies and reads a revocations document in this thread. Throws refusals (KioskError). Given a box,
 * it empties it once the payload is decoded, so that the JWS bytes can be freed while the list is read.
 */
export async function readRevocations(
  given: string | Uint8Array | { raw: Uint8Array | null },
  root: KeyObject,
): Promise<RevocationsRead> {
  const box =
    typeof given === 'object' && 'raw' in given
      ? given
      : { raw: typeof given === 'string' ? Buffer.from(given, 'utf8') : given };
  const read = readFromBytes(box, root);
  if (read) return read;
  const raw = box.raw!;
  // Not plainly valid: the general path says precisely why (or reads what is valid but unusual).
  const payload = await verifyAs('revocations', documentText(raw), root);
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw malformed('nội dung phải là một đối tượng JSON', 'the payload must be a JSON object');
  }
  const fields = new Map<string, FieldValue>(Object.entries(payload).map(([k, v]) => [k, { json: v }]));
  return fromFields(fields, null);
}

/** The usual case, read from the bytes; null when the general path must say what is wrong. */
function readFromBytes(box: { raw: Uint8Array | null }, root: KeyObject): RevocationsRead | null {
  const verified = verifyBytes(box.raw!, DOCUMENT_TYPES.revocations, root);
  if (!verified) return null;
  box.raw = null;
  return fromFields(verified.fields, verified.payload);
}

function jsonOf(v: FieldValue | undefined): unknown {
  return v && 'json' in v ? v.json : undefined;
}

/** The header checked, each list packed (from hex) or checked (when packed already). */
function fromFields(fields: Map<string, FieldValue>, payload: Buffer | null): RevocationsRead {
  const head = RevocationsHeader.safeParse({
    version: jsonOf(fields.get('version')),
    issued: jsonOf(fields.get('issued')),
    mode: jsonOf(fields.get('mode')),
    base: jsonOf(fields.get('base')),
  });
  if (!head.success) {
    const detail = describeZodError(head.error);
    throw malformed(detail, detail);
  }
  const list = (field: 'add' | 'remove'): Buffer => {
    const hex = fields.get(field);
    const packed = fields.get(`${field}Packed`);
    if (hex && packed) {
      throw malformed(
        `"${field}" và "${field}Packed" không được cùng có mặt`,
        `"${field}" and "${field}Packed" must not both be present`,
      );
    }
    if (!packed) return packHashes(jsonOf(hex), field);
    let checked: Buffer | PackedProblem;
    if ('json' in packed) {
      if (typeof packed.json !== 'string') {
        throw malformed(`"${field}Packed" phải là chuỗi`, `"${field}Packed" must be a string`);
      }
      const text = packed.json;
      checked =
        Buffer.byteLength(text, 'utf8') === text.length // ASCII only
          ? unpackChecked(Buffer.from(text, 'latin1'), 0, text.length, `${field}Packed`)
          : { vi: `${field}Packed không phải base64 chuẩn`, en: `${field}Packed is not standard base64` };
    } else checked = unpackChecked(payload!, packed.start, packed.end, `${field}Packed`);
    if (!Buffer.isBuffer(checked)) throw malformed(checked.vi, checked.en);
    return checked;
  };
  return { ...head.data, base: head.data.base, add: list('add'), remove: list('remove') };
}

export type WorkerReply =
  | {
      ok: true;
      version: number;
      issued: number;
      mode: 'full' | 'delta';
      base: number | null;
      add: Uint8Array;
      remove: Uint8Array;
    }
  | { ok: false; error: ApiError };

export const WORKER_HEAP_MB = 768;
const COPY_SLICE = 8 * 2 ** 20;

/** Workers still running, so that a stopping kiosk can end them. */
const running = new Set<Worker>();

/** How many revocation workers are reading now (tests check that scans run meanwhile). */
export function runningRevocationWorkers(): number {
  return running.size;
}

export async function stopRevocationWorkers(): Promise<void> {
  await Promise.all([...running].map((w) => w.terminate()));
}

/**
 * Verifies and reads a revocations document in a worker thread. The bytes are copied once and moved
 * to the worker; the packed lists come back moved, not copied.
 */
export async function readRevocationsOffThread(
  raw: string | Uint8Array,
  root: KeyObject,
  heapMb = WORKER_HEAP_MB,
): Promise<RevocationsRead> {
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
  // Copied a slice at a time (85 MB in one go would hold the scan thread for tens of ms).
  const copy = new Uint8Array(bytes.length);
  for (let at = 0; at < bytes.length; at += COPY_SLICE) {
    copy.set(bytes.subarray(at, at + COPY_SLICE), at);
    await yieldToLoop();
  }
  const rootPem = root.export({ type: 'spki', format: 'pem' }).toString();
  const { source, eval: isEval } = workerSource(import.meta.url, 'revocation-worker');
  return new Promise((resolve, reject) => {
    const worker = new Worker(source, {
      eval: isEval,
      workerData: { rootPem },
      // Reading a million entries takes ~300 MB of JS heap; a cap keeps a hostile document from taking
      // the kiosk's memory (the worker fails with ERR_WORKER_OUT_OF_MEMORY, the kiosk goes on).
      resourceLimits: { maxOldGenerationSizeMb: heapMb },
    });
    running.add(worker);
    let settled = false;
    const done = (fn: () => void) => {
      if (settled) return;
      settled = true;
      running.delete(worker);
      fn();
      void worker.terminate();
    };
    worker.once('message', (reply: WorkerReply) =>
      done(() => {
        if (!reply.ok) {
          reject(new KioskError(reply.error.code, reply.error.vi, reply.error.en));
          return;
        }
        resolve({
          version: reply.version,
          issued: reply.issued,
          mode: reply.mode,
          base: reply.base ?? undefined,
          add: Buffer.from(reply.add.buffer, reply.add.byteOffset, reply.add.byteLength),
          remove: Buffer.from(reply.remove.buffer, reply.remove.byteOffset, reply.remove.byteLength),
        });
      }),
    );
    worker.once('error', (err) => done(() => reject(err)));
    worker.once('exit', (code) =>
      done(() => reject(new Error(`revocation worker exited (${code}) before answering`))),
    );
    worker.postMessage(copy, [copy.buffer]);
  });
}

export interface ReadPlacement {
  root: KeyObject;
  /** Documents above this size are read in a worker (default 1 MiB). */
  offThreadBytes?: number | undefined;
  workerHeapMb?: number | undefined;
  /** True once the kiosk is stopping: a worker ended by the stop is not retried here. */
  stopped: () => boolean;
}

export const DEFAULT_OFF_THREAD_BYTES = 2 ** 20;

/** Reads a revocations document in this thread when small, else in a worker. Throws refusals. */
export async function readRevocationsSomewhere(
  raw: string | Uint8Array,
  size: number,
  p: ReadPlacement,
): Promise<RevocationsRead> {
  if (size <= (p.offThreadBytes ?? DEFAULT_OFF_THREAD_BYTES)) return readRevocations(raw, p.root);
  try {
    return await readRevocationsOffThread(raw, p.root, p.workerHeapMb);
  } catch (err) {
    if (err instanceof KioskError || p.stopped()) throw err; // the document's own refusal, or a stop
    if ((err as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY') {
      const heapMb = p.workerHeapMb ?? WORKER_HEAP_MB;
      throw refusal(
        'TOO_LARGE',
        `Danh sách thu hồi quá lớn để đọc (vượt ${heapMb} MB bộ nhớ)`,
        `The revocation list is too large to read (over ${heapMb} MB of memory)`,
      );
    }
    // The worker could not run (a packaging without its file): read here, slower but correct.
    log.warn('documents: revocation worker failed, reading in the main thread:', (err as Error).message);
    return readRevocations(raw, p.root);
  }
}
