import { loadCases } from './test/conformance/dgc-checks.ts';
import { cborDecode } from './src/permit/cbor.ts';
import { cborToPlain, parseDccClaims, parseHealthCertificate } from './src/dcc/certificate.ts';
import { parseCoseSign1 } from './src/dcc/cose.ts';
const cases = loadCases('/work/shared/testdata/dgc-testdata');
for (const id of ['DE/2DCode/raw/1','FR/2DCode/raw/DCC_Test_0001','ES/2DCode/raw/101','ES/2DCode/raw/1001']) {
  const c = cases.find(x => x.id === id)!;
  try { const v = cborDecode(Buffer.from(c.raw.CBOR as string,'hex')); console.log(id, 'cbor ok', JSON.stringify(cborToPlain(v)).slice(0,300)); } catch (e) { console.log(id, 'cbor err', (e as Error).message); }
  try { const p = cborDecode(parseCoseSign1(Buffer.from(c.raw.COSE as string,'hex')).payload) as Map<any,any>; console.log(' claims', [...p.entries()].filter(([k])=>k!==-260)); const h = parseDccClaims(parseCoseSign1(Buffer.from(c.raw.COSE as string,'hex')).payload).hcert; console.log(' hc', JSON.stringify(h).slice(0,400)); parseHealthCertificate(h); } catch (e) { console.log(' err', (e as Error).message); }
}
