// Worker thread entry: verifies and reads one large revocations document off the scan thread
// (revocation-read.ts readRevocationsOffThread). Receives the raw bytes, answers once, then exits.
import { parentPort, workerData } from 'node:worker_threads';
import { loadPublicKey } from '../contract/keys.js';
import { asRefusal } from './refusal.js';
import { readRevocations, type WorkerReply } from './revocation-read.js';

const port = parentPort;
if (!port) throw new Error('revocation-worker must run as a worker thread');

/** A buffer that owns all of its memory is moved as it is; a view into a larger or pooled one is copied. */
function movable(b: Buffer): Uint8Array {
  const whole = b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.byteLength > 4096;
  return whole && b.buffer instanceof ArrayBuffer
    ? new Uint8Array(b.buffer, 0, b.byteLength)
    : new Uint8Array(b);
}

// The bytes go in a box, not a parameter that stays alive: the reader lets go of them once decoded.
port.once('message', (bytes: Uint8Array) => void answer({ raw: bytes }));

async function answer(input: { raw: Uint8Array | null }): Promise<void> {
  let reply: WorkerReply;
  const transfer: ArrayBuffer[] = [];
  try {
    const read = await readRevocations(input, loadPublicKey((workerData as { rootPem: string }).rootPem));
    const add = movable(read.add);
    const remove = movable(read.remove);
    transfer.push(add.buffer as ArrayBuffer, remove.buffer as ArrayBuffer);
    reply = { ok: true, ...read, base: read.base ?? null, add, remove };
  } catch (err) {
    reply = { ok: false, error: asRefusal(err) };
  }
  port!.postMessage(reply, transfer);
}
