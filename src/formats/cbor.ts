// One CBOR configuration for permits: maps decode to Map (integer keys stay integers, no prototype
// tricks through "__proto__" keys), byte strings encode as plain bstr (no typed-array tags).
import { Decoder, Encoder } from 'cbor-x';

const decoder = new Decoder({ useRecords: false, mapsAsObjects: false });
// useTag259ForMaps is honoured by cbor-x but missing from its typings.
const encoderOptions = {
  useRecords: false,
  mapsAsObjects: false,
  useTag259ForMaps: false,
  tagUint8Array: false,
  variableMapSize: true,
} as ConstructorParameters<typeof Encoder>[0];
const encoder = new Encoder(encoderOptions);

/** Decodes exactly one CBOR item; throws on malformed input or trailing bytes. */
export function cborDecode(bytes: Uint8Array): unknown {
  return decoder.decode(bytes);
}

export function cborEncode(value: unknown): Buffer {
  return Buffer.from(encoder.encode(value));
}

export function isBytes(v: unknown): v is Buffer {
  return v instanceof Uint8Array;
}
