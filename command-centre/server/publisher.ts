// Signing and addressing downlink documents (spec/mqtt.md "Command centre → kiosk"). The payload is
// validated with the schemas a kiosk uses, signed with the command centre's key (which stays in this
// process), and sent to the spec's topic. Pure apart from signing: the aggregator does the publishing.
import { createHash } from 'node:crypto';
import { AREA_CODE } from '../../src/contract/checkpoint.js';
import { DOCUMENT_TYPES, type DocumentKind, signDocument } from '../../src/contract/document-jws.js';
import { validateDocumentPayload } from '../../src/contract/document-validate.js';
import { ConfigPayload, RevocationsPayload, TrustListPayload } from '../../src/contract/documents.js';
import { KioskError } from '../../src/contract/errors.js';
import { DOCUMENT_KINDS, type PublishRequest } from './types.js';

export interface PreparedDocument {
  kind: DocumentKind;
  typ: string;
  version: number;
  topic: string;
  retained: boolean;
  /** Topics whose versions this one must exceed (a delta shares the full list's numbering). */
  versionTopics: string[];
  jws: string;
  sha256: string;
}

const DISTRICT = /^\d{2}-\d{3}$/;

export function requestError(vi: string, en: string): KioskError {
  return new KioskError('PUBLISH_INVALID', vi, en);
}

/** Where a document goes, and whether the broker keeps it for kiosks that connect later. */
export function documentTopic(
  kind: DocumentKind,
  payload: unknown,
  district: string | undefined,
): { topic: string; retained: boolean; versionTopics: string[] } {
  switch (kind) {
    case 'trust':
      return { topic: 'ckpt/v1/all/trust', retained: true, versionTopics: ['ckpt/v1/all/trust'] };
    case 'zones':
      return { topic: 'ckpt/v1/all/zones', retained: true, versionTopics: ['ckpt/v1/all/zones'] };
    case 'revocations': {
      const both = ['ckpt/v1/all/revocations', 'ckpt/v1/all/revocations/delta'];
      const mode = RevocationsPayload.parse(payload).mode;
      // The latest full list is retained; deltas are not, a kiosk that missed one asks for the full list.
      return mode === 'full'
        ? { topic: both[0]!, retained: true, versionTopics: both }
        : { topic: both[1]!, retained: false, versionTopics: both };
    }
    case 'config': {
      if (!district || !DISTRICT.test(district) || !AREA_CODE.test(district)) {
        throw requestError(
          'Cấu hình chốt cần mã quận/huyện (vd 01-009)',
          'A checkpoint config needs a district code (e.g. 01-009)',
        );
      }
      const target = ConfigPayload.parse(payload).checkpoint;
      const topic = `ckpt/v1/${district}/${target === '*' ? 'all' : target}/config`;
      return { topic, retained: true, versionTopics: [topic] };
    }
  }
}

/** Validates, addresses and signs. `lastVersion` gives the highest version already sent on a topic. */
export async function prepareDocument(
  req: unknown,
  keyPem: string,
  lastVersion: (topics: string[]) => number | null,
): Promise<PreparedDocument> {
  if (typeof req !== 'object' || req === null) {
    throw requestError('Yêu cầu phải là một đối tượng JSON', 'The request must be a JSON object');
  }
  const { kind, payload, district } = req as Partial<PublishRequest>;
  if (typeof kind !== 'string' || !(DOCUMENT_KINDS as readonly string[]).includes(kind)) {
    throw requestError(
      `Loại tài liệu phải là một trong: ${DOCUMENT_KINDS.join(', ')}`,
      `The document kind must be one of: ${DOCUMENT_KINDS.join(', ')}`,
    );
  }
  if (district !== undefined && typeof district !== 'string') {
    throw requestError('Mã quận/huyện phải là chuỗi', 'The district code must be a string');
  }
  const docKind = kind as DocumentKind;
  const { version } = validateDocumentPayload(docKind, payload);
  if (docKind === 'trust' && TrustListPayload.parse(payload).issuers.length === 0) {
    // Valid for a kiosk, but it would turn every permit in the city into UNKNOWN_ISSUER.
    throw requestError(
      'Danh sách tin cậy rỗng: mọi giấy đi đường sẽ bị từ chối',
      'An empty trust list would make every permit be refused',
    );
  }
  const where = documentTopic(docKind, payload, district);
  const last = lastVersion(where.versionTopics);
  if (last !== null && version <= last) {
    // A kiosk refuses a version not greater than the one it holds: sending it would only produce refusals.
    throw requestError(
      `Phiên bản ${version} không mới hơn phiên bản đã phát ${last}`,
      `Version ${version} is not newer than the published version ${last}`,
    );
  }
  const jws = await signDocument(docKind, payload, keyPem);
  return {
    kind: docKind,
    typ: DOCUMENT_TYPES[docKind],
    version,
    ...where,
    jws,
    sha256: createHash('sha256').update(jws).digest('hex'),
  };
}
