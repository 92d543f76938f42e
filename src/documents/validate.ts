// Payload validation by document kind: `kiosk sign` refuses what a kiosk would refuse, with the same
// schemas and the same DOCUMENT_INVALID errors.
import { type DocumentKind, documentError } from './jws.js';
import { parseRevocations } from './revocations.js';
import { ConfigPayload, describeZodError } from './schemas.js';
import { buildTrustList } from './trust-list.js';
import { buildZoneMap } from './zones.js';

/** Throws a KioskError DOCUMENT_INVALID when the payload is not a valid document of this kind. */
export function validateDocumentPayload(kind: DocumentKind, payload: unknown): { version: number } {
  switch (kind) {
    case 'trust':
      return { version: buildTrustList(payload).version };
    case 'revocations':
      return { version: parseRevocations(payload).version };
    case 'zones':
      return { version: buildZoneMap(payload).version };
    case 'config': {
      const parsed = ConfigPayload.safeParse(payload);
      if (!parsed.success) {
        const detail = describeZodError(parsed.error);
        throw documentError('config', `nội dung sai: ${detail}`, `bad payload: ${detail}`);
      }
      return { version: parsed.data.version };
    }
  }
}
