// Key helpers shared by permits and documents: a key id is the first 8 bytes of SHA-256 over the
// DER SubjectPublicKeyInfo (spec/permit-format.md §1).
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';

export function spkiDer(key: KeyObject): Buffer {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return pub.export({ type: 'spki', format: 'der' });
}

export function kidOf(key: KeyObject): Buffer {
  return createHash('sha256').update(spkiDer(key)).digest().subarray(0, 8);
}

function assertP256(key: KeyObject, what: string): KeyObject {
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error(`${what} is not an ECDSA P-256 key`);
  }
  return key;
}

/** A P-256 private key from PEM (PKCS8 or SEC1); throws on anything else. */
export function loadPrivateKey(pem: string): KeyObject {
  return assertP256(createPrivateKey({ key: pem, format: 'pem' }), 'private key');
}

/** A P-256 public key from PEM SPKI, or from a private key PEM (its public half). */
export function loadPublicKey(pem: string): KeyObject {
  return assertP256(createPublicKey({ key: pem, format: 'pem' }), 'public key');
}

/** A P-256 public key from DER SPKI bytes (trust-list entries). */
export function publicKeyFromDer(der: Buffer): KeyObject {
  return assertP256(createPublicKey({ key: der, format: 'der', type: 'spki' }), 'public key');
}

export interface KeyPairPem {
  privatePem: string;
  publicPem: string;
  kid: Buffer;
}

export function generateKeyPair(): KeyPairPem {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    kid: kidOf(publicKey),
  };
}
