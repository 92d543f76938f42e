// How the kiosk opens its document store: what the database holds, then the trust list file named by
// kiosk.json when it is newer. Kept here so that the composition root (src/kiosk.ts) only wires.

import type { Db } from '../base/db.js';
import { log } from '../base/log.js';
import { DocumentStore, type DocumentStoreOptions } from './store.js';

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
    if (r.error) log.warn(`documents: trust list file not applied: ${r.error.code}: ${r.error.en}`);
  }
  return documents;
}
