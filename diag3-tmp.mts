import { loadCases, sameJson } from './test/conformance/dgc-checks.ts';
import { cborDecode } from './src/permit/cbor.ts';
import { parseDccClaims } from './src/dcc/certificate.ts';
import { parseCoseSign1, decodeHc1Transport } from './src/dcc/cose.ts';
import { X509Certificate, createHash, verify, constants } from 'node:crypto';
import { cborEncode } from './src/permit/cbor.ts';
const cases = loadCases('/work/shared/testdata/dgc-testdata');
const get = (id: string) => cases.find(x => x.id === id)!;
for (const id of ['common/2DCode/raw/CO20','common/2DCode/raw/CO21','common/2DCode/raw/CO22','ES/2DCode/raw/401']) {
  const c = get(id); const cose = parseCoseSign1(Buffer.from(c.raw.COSE as string,'hex'));
  const der = Buffer.from(c.ctx.CERTIFICATE as string,'base64'); const cert = new X509Certificate(der);
  console.log(id, cose.protectedHeader, cose.unprotected, 'certkid', createHash('sha256').update(der).digest().subarray(0,8).toString('base64'), 'spkikid', createHash('sha256').update(cert.publicKey.export({type:'spki',format:'der'})).digest().subarray(0,8).toString('base64'));
  const tbs = cborEncode(['Signature1', cose.protectedBytes, Buffer.alloc(0), cose.payload]);
  console.log('  sig ok with cert key:', verify('sha256', tbs, {key: cert.publicKey, dsaEncoding:'ieee-p1363'}, cose.signature), cert.subject, cert.serialNumber);
}
for (const id of ['ES/2DCode/raw/1501','IE/2DCode/Raw/1','IE/2DCode/Raw/2']) {
  const c = get(id); const cl = parseDccClaims(parseCoseSign1(Buffer.from(c.raw.COSE as string,'hex')).payload);
  console.log(id, c.ctx.VALIDATIONCLOCK, 'iat', new Date(cl.iat*1000).toISOString(), 'exp', new Date(cl.exp*1000).toISOString());
}
for (const id of ['FR/2DCode/raw/test_pcr_ok','PL/1.3.0/2DCode/raw/1']) {
  const c = get(id);
  const h = parseDccClaims(decodeHc1Transport(c.raw.PREFIX as string).payload).hcert;
  console.log(id, JSON.stringify(h)); console.log('  JSON', JSON.stringify(c.raw.JSON));
}
