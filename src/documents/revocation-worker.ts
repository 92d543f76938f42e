// Worker thread entry: verifies and reads one large revocations document off the scan thread
// (revocation-read.ts readRevocationsOffThread). Receives the raw bytes, answers once, then exits.
import { parentPort, workerData } from 'node:worker_threads';
import { loadPublicKey } from '../contract/keys.js';
import { asRefusal } from './refusal.js';
import { readRevocations, type WorkerReply } from './revocation-read.js';

const port = parentPort;
if (!port) throw new Error('revocation-worker must run as a worker thread');

port.once('message', async (bytes: Uint8Array) => {
  let reply: WorkerReply;
  const transfer: ArrayBuffer[] = [];
  try {
    const read = await readRevocations(bytes, loadPublicKey((workerData as { rootPem: string }).rootPem));
    // Fresh copies own their memory: pooled or shared buffers must not be moved.
    const add = new Uint8Array(read.add);
    const remove = new Uint8Array(read.remove);
    transfer.push(add.buffer, remove.buffer);
    reply = { ok: true, ...read, base: read.base ?? null, add, remove };
  } catch (err) {
    reply = { ok: false, error: asRefusal(err) };
  }
  port.postMessage(reply, transfer);
});
