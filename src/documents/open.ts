// How the kiosk opens its document store and what a scan takes from it. Kept here so that the
// composition root (src/kiosk.ts) only wires.
import type { CheckpointConfig } from '../config/checkpoint.js';
import type { JudgeContext } from '../scan/judge.js';
import type { Db } from '../store/db.js';
import { DocumentStore, type DocumentStoreOptions } from './store.js';
import type { TrustList } from './trust-list.js';

export interface OpenDocumentsOptions extends DocumentStoreOptions {
  /** The trust list file named by kiosk.json: imported when newer than the one held. */
  trustFile?: { jws: string; path: string } | undefined;
}

/** Opens the store, loads what it holds, and imports the trust list file (an older file changes nothing). */
export async function openDocuments(db: Db, opts: OpenDocumentsOptions): Promise<DocumentStore> {
  const documents = new DocumentStore(db, opts);
  await documents.load();
  if (opts.trustFile) {
    const r = await documents.apply('trust', opts.trustFile.jws, { source: `file:${opts.trustFile.path}` });
    if (r.error) console.warn(`documents: trust list file not applied: ${r.error.code}: ${r.error.en}`);
  }
  return documents;
}

/**
 * The documents part of a scan's context: the store's current snapshot, or what the kiosk was started
 * with when the store holds no trust list (a kiosk built in code, without a trust list file).
 */
export function judgeDocuments(
  documents: DocumentStore | null,
  fallback: { checkpoint: CheckpointConfig; trust: TrustList },
): Pick<JudgeContext, 'checkpoint' | 'trust' | 'revocations' | 'zones' | 'newestDocumentMs'> {
  const d = documents?.current();
  return {
    checkpoint: d?.checkpoint ?? fallback.checkpoint,
    trust: d?.trust ?? fallback.trust,
    revocations: d?.revocations ?? null,
    zones: d?.zones ?? null,
    newestDocumentMs: d?.newestIssuedMs ?? null,
  };
}
