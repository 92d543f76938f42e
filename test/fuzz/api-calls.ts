// The API fuzz's calls and what each must satisfy. A call is a method name (the API's, or garbage), its
// parameters (plausible values for the method's fields, mixed with junk: wrong types, huge and control
// strings, prototype keys, unknown fields, whole non-objects), a caller (each role, nobody, a forged
// token) and a way in: the Dispatcher in-process, HTTP (with or without its CSRF header, and malformed
// requests), or a WebSocket (and malformed frames). Every answer must be a well-formed result or a
// bilingual error, never an internal error or an HTTP 5xx; a call that succeeded must be one its caller
// may make; a call that was refused must have changed nothing (failed logins apart).
import fc from 'fast-check';
import { ACCESS, roleAllowed } from '../../src/contract/access.js';
import { isMethodName, methods, type ResultMessage } from '../../src/contract/api.js';
import { AUDIT_KINDS } from '../../src/contract/api-audit.js';
import { PINS } from '../unit/audit-fixtures.js';
import type { ApiWorld, Who } from './api-world.js';
import { WHO } from './api-world.js';

export type Via = 'dispatch' | 'http' | 'ws';
export type HttpRaw =
  | 'content-type'
  | 'not-json'
  | 'get'
  | 'oversize'
  | 'path'
  | 'origin'
  | 'csrf-missing'
  | 'csrf-wrong';
export type WsRaw = 'not-json' | 'binary' | 'envelope' | 'oversize';

export interface FuzzCall {
  via: Via;
  who: Who;
  method: string;
  params: unknown;
  /** A malformed request of this kind instead of a well-formed call. */
  raw: HttpRaw | WsRaw | null;
  /** Junk for the malformed kinds that carry some (a path, an envelope). */
  junk: unknown;
}

export interface Outcome {
  via: Via;
  ok: boolean;
  code: string | null;
  status: number | null;
}

const NAMES = Object.keys(methods);
const ISO = [
  '2021-08-23T00:00:00.000Z',
  '2021-08-23T08:00:00+07:00',
  '23/08/2021 08:00',
  '2999-01-01T00:00:00Z',
];

/** Plausible values by field name; anything else gets junk. */
function plausible(permits: string[]): Record<string, fc.Arbitrary<unknown>> {
  const ids = fc.constantFrom(1, 2, 3, 5, 0, -1, 2 ** 53, 1.5);
  const text = fc.string({ maxLength: 40 });
  return {
    text: fc.oneof(fc.constantFrom(...permits), text, fc.constantFrom('VNP1:', 'HC1:xyz', 'x'.repeat(8192))),
    source: fc.constantFrom('serial', 'wedge', 'camera', 'manual', 'api', 'nfc'),
    direction: fc.constantFrom('in', 'out', 'sideways'),
    lane: fc.constantFrom('1', '2', '3', '', 'x'.repeat(17)),
    plate: fc.constantFrom('29A-123.45', '30E 567.89', '', '<script>'),
    vehicleType: fc.constantFrom('car', 'motorbike', 'truck', 'bicycle', 'none', 'boat'),
    passengers: fc.constantFrom(0, 1, 99, 100, -1),
    limit: fc.constantFrom(1, 20, 100, 0, 1_000_000),
    name: fc.constantFrom('canbo', 'canbo2', 'giamsat', 'quantri', 'Nguyễn', 'admin', ''),
    pin: fc.constantFrom(...Object.values(PINS), '123', '000000', '1234567890123'),
    currentPin: fc.constantFrom(...Object.values(PINS), '000000'),
    newPin: fc.constantFrom('654321', '12', '999999'),
    displayName: text,
    notes: text,
    note: text,
    reason: fc.constantFrom('Xe cấp cứu', '', 'x'.repeat(600)),
    role: fc.constantFrom('guard', 'supervisor', 'admin', 'root'),
    id: ids,
    shiftId: ids,
    passageId: ids,
    disabled: fc.boolean(),
    unlock: fc.constantFrom(true, false),
    letThrough: fc.boolean(),
    overridden: fc.boolean(),
    from: fc.constantFrom(...ISO),
    to: fc.constantFrom(...ISO),
    before: fc.oneof(fc.constantFrom(...ISO), ids),
    decision: fc.constantFrom('ALLOW', 'DENY', 'REVIEW', 'MAYBE'),
    kinds: fc.array(fc.constantFrom(...AUDIT_KINDS, 'bogus'), { maxLength: 3 }),
    lang: fc.constantFrom('vi', 'en', 'fr'),
    idn: fc.constantFrom('001085001234', '1234', '12'),
    idNumber: fc.constantFrom('001085001234', '', 'abc'),
    permit: fc.constantFrom('P-1', 'ab'.repeat(32)),
    purpose: fc.constantFrom('work', 'medical', 'tourism'),
    supervisor: fc.oneof(
      fc.constant({ name: 'giamsat', pin: PINS.supervisor }),
      fc.record({ name: fc.constantFrom('giamsat', 'canbo'), pin: fc.constantFrom('000000', PINS.guard) }),
    ),
  };
}

const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.integer(),
  fc.double(),
  fc.constantFrom(null, '', ' ', '\u0000\u0001', '\ud800', 'x'.repeat(9000), '__proto__', 'constructor'),
  fc.constant({ __proto__: { admin: true } }),
);

function paramsFor(method: string, values: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> {
  const shape = isMethodName(method) ? (methods[method].params as unknown as { shape: object }).shape : {};
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const key of Object.keys(shape))
    model[key] = fc.oneof({ weight: 4, arbitrary: values[key] ?? junk }, junk);
  const fields = fc.record(model, { requiredKeys: [] });
  return fc.oneof(
    { weight: 8, arbitrary: fields },
    // An unknown field, or one named like Object's own.
    {
      weight: 1,
      arbitrary: fc
        .tuple(fields, fc.constantFrom('extra', '__proto__', 'constructor', 'toString'), junk)
        .map(([f, k, v]) => JSON.parse(JSON.stringify({ ...(f as object), [k]: v }))),
    },
    { weight: 1, arbitrary: junk },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

export function callArb(permits: string[]): fc.Arbitrary<FuzzCall> {
  const values = plausible(permits);
  const method = fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(...NAMES) },
    { weight: 1, arbitrary: fc.string({ maxLength: 80 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '__proto__',
        'constructor',
        'toString',
        'hasOwnProperty',
        'AUTH.LOGIN',
        ' status.get',
        'status.get/../users.list',
        'x'.repeat(200),
      ),
    },
  );
  return fc
    .record({
      via: fc.constantFrom<Via>('dispatch', 'http', 'ws'),
      who: fc.constantFrom(...WHO),
      method,
      rawRoll: fc.integer({ min: 0, max: 19 }),
      junk,
    })
    .chain(({ via, who, method: m, rawRoll, junk: j }) =>
      paramsFor(m, values).chain((params) => {
        const raw: fc.Arbitrary<HttpRaw | WsRaw | null> =
          rawRoll > 2 || via === 'dispatch'
            ? fc.constant(null)
            : via === 'http'
              ? fc.constantFrom<HttpRaw>(
                  'content-type',
                  'not-json',
                  'get',
                  'oversize',
                  'path',
                  'origin',
                  'csrf-missing',
                  'csrf-wrong',
                )
              : fc.constantFrom<WsRaw>('not-json', 'binary', 'envelope', 'oversize');
        return raw.map((r) => ({ via, who, method: m, params, raw: r, junk: j }));
      }),
    );
}

/** Performs one call and checks its answer; throws what is wrong. */
export async function perform(world: ApiWorld, c: FuzzCall): Promise<Outcome> {
  const before = world.fingerprint();
  const outcome =
    c.via === 'dispatch'
      ? await viaDispatcher(world, c)
      : c.via === 'http'
        ? await viaHttp(world, c)
        : await viaWs(world, c);
  if (outcome.ok) {
    const method = calledMethod(c);
    if (!isMethodName(method)) throw new Error(`an unknown method ${JSON.stringify(method)} succeeded`);
    const access = ACCESS[method];
    if (!roleAllowed(access, world.roleOf(c.who)) || (access.ownShift && c.who !== 'guardOn')) {
      throw new Error(`${method} succeeded for ${c.who}, who may not call it`);
    }
    if (
      (c.raw === 'csrf-missing' || c.raw === 'csrf-wrong') &&
      world.roleOf(c.who) &&
      access.who !== 'public'
    ) {
      throw new Error(`${c.method} succeeded over HTTP with a session cookie and no valid CSRF header`);
    }
  } else {
    const after = world.fingerprint();
    if (after.rest !== before.rest) {
      throw new Error(
        `a refused call (${outcome.code}) changed the kiosk:\n  ${before.rest}\n  ${after.rest}`,
      );
    }
    const audited = world.newAuditKinds(before.audit).filter((k) => !FAILED_LOGIN.has(k));
    if (audited.length > 0)
      throw new Error(`a refused call (${outcome.code}) was audited as ${audited.join(', ')}`);
  }
  return outcome;
}

/** The method the kiosk was asked for: a malformed path or envelope may name another one. */
export function calledMethod(c: FuzzCall): string {
  if (c.raw === 'path') {
    const tail = httpPath(c).slice('api/call/'.length);
    try {
      return decodeURIComponent(tail).slice(0, 64);
    } catch {
      return tail.slice(0, 64);
    }
  }
  if (c.raw === 'envelope') {
    const m = (c.junk as { method?: unknown } | null)?.method;
    return typeof m === 'string' ? m : '';
  }
  return c.method;
}

function httpPath(c: FuzzCall): string {
  return c.raw === 'path'
    ? `api/call/${String(c.junk).slice(0, 300)}`.replace(/[#?]/g, '%25')
    : `api/call/${encodeURIComponent(c.method)}`;
}

function checkResult(m: unknown, where: string): { ok: boolean; code: string | null } {
  const r = m as ResultMessage;
  if (
    !r ||
    typeof r !== 'object' ||
    r.type !== 'result' ||
    typeof r.ok !== 'boolean' ||
    typeof r.id !== 'number'
  ) {
    throw new Error(`${where}: not a result envelope: ${JSON.stringify(m)?.slice(0, 200)}`);
  }
  if (r.ok) return { ok: true, code: null };
  const e = r.error;
  if (
    !e ||
    typeof e.code !== 'string' ||
    !e.code ||
    typeof e.vi !== 'string' ||
    !e.vi ||
    typeof e.en !== 'string' ||
    !e.en
  ) {
    throw new Error(`${where}: an error without its code and both languages: ${JSON.stringify(r)}`);
  }
  if (e.code === 'INTERNAL') throw new Error(`${where}: an internal error: ${e.en}`);
  return { ok: false, code: e.code };
}

async function viaDispatcher(world: ApiWorld, c: FuzzCall): Promise<Outcome> {
  const r = await world.k.kiosk.dispatcher.call(
    { id: world.nextCallId(), method: c.method, params: c.params },
    world.ctx(c.who),
  );
  return { via: 'dispatch', ...checkResult(r, `dispatch ${c.method}`), status: null };
}

async function viaHttp(world: ApiWorld, c: FuzzCall): Promise<Outcome> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const token = world.tokenOf(c.who);
  if (token) headers.cookie = `kiosk_session=${token}`;
  const csrf = world.csrfOf(c.who);
  if (csrf && c.raw !== 'csrf-missing') headers['x-kiosk-csrf'] = c.raw === 'csrf-wrong' ? `${csrf}x` : csrf;
  const path = httpPath(c);
  let body: string | undefined = c.params === undefined ? '' : JSON.stringify(c.params);
  let method = 'POST';
  if (c.raw === 'content-type') headers['content-type'] = 'text/plain';
  if (c.raw === 'not-json') body = `{${String(c.junk).slice(0, 50)}`;
  if (c.raw === 'get') method = 'GET';
  if (c.raw === 'oversize') body = JSON.stringify({ text: 'x'.repeat(70 * 1024) });
  if (c.raw === 'origin') headers.origin = 'http://evil.example';
  const r = await world.http({ path, method, headers, ...(method === 'GET' ? {} : { body }) });
  if (r.status >= 500)
    throw new Error(`HTTP ${r.status} for ${c.method}: ${JSON.stringify(r.body).slice(0, 200)}`);
  const b = r.body as { ok?: unknown; error?: { code?: string; vi?: string; en?: string }; type?: string };
  if (!b || typeof b !== 'object' || typeof b.ok !== 'boolean') {
    throw new Error(`HTTP ${r.status}: not a JSON answer: ${String(r.body).slice(0, 200)}`);
  }
  if (b.ok !== (r.status === 200)) throw new Error(`HTTP ${r.status} with ok: ${b.ok}`);
  if (!b.ok) {
    const e = b.error;
    if (!e?.code || !e.vi || !e.en)
      throw new Error(`HTTP ${r.status}: an error without its words: ${JSON.stringify(b)}`);
    if (e.code === 'INTERNAL') throw new Error(`HTTP ${r.status}: an internal error for ${c.method}`);
    return { via: 'http', ok: false, code: e.code, status: r.status };
  }
  if (b.type === 'result') checkResult(b, `http ${c.method}`);
  return { via: 'http', ok: true, code: null, status: r.status };
}

async function viaWs(world: ApiWorld, c: FuzzCall): Promise<Outcome> {
  const id = world.nextCallId();
  let data: string | Buffer = JSON.stringify({ type: 'call', id, method: c.method, params: c.params ?? {} });
  if (c.raw === 'not-json') data = `{"type":"call",${String(c.junk).slice(0, 50)}`;
  if (c.raw === 'binary') data = Buffer.from(data);
  if (c.raw === 'envelope') data = JSON.stringify(c.junk) ?? 'null';
  if (c.raw === 'oversize')
    data = JSON.stringify({
      type: 'call',
      id,
      method: 'scan.submit',
      params: { text: 'x'.repeat(70 * 1024) },
    });
  const r = await world.ws(c.who, data);
  if (r === 'closed') {
    // Only a frame over the 64 KiB limit closes a socket (1009); any other close is a crash of the socket.
    if (c.raw !== 'oversize') throw new Error(`the WebSocket closed on ${c.raw ?? c.method}`);
    return { via: 'ws', ok: false, code: 'CLOSED_1009', status: null };
  }
  if (c.raw === 'oversize') throw new Error('a frame over 64 KiB was answered');
  return { via: 'ws', ...checkResult(r, `ws ${c.method}`), status: null };
}

/** What a refused call may leave behind: a failed login (a wrong PIN, a locked account). */
const FAILED_LOGIN = new Set(['login_failed', 'lockout']);

/** Methods whose success changes the cast the fuzz relies on: the world is repaired after them. */
const REPAIR_AFTER_OK = new Set([
  'auth.logout',
  'auth.changePin',
  'users.update',
  'shift.close',
  'shift.open',
]);
/** Methods whose failure may lock an account (wrong PINs). */
const REPAIR_AFTER_ANY = new Set(['auth.login', 'auth.changePin', 'passage.override']);

export async function afterCall(world: ApiWorld, c: FuzzCall, o: Outcome): Promise<void> {
  // A login or logout over a socket changes that socket's session: it is opened again.
  if (o.ok && c.via === 'ws' && ['auth.login', 'auth.logout'].includes(calledMethod(c)))
    world.dropSocket(c.who);
  const method = calledMethod(c);
  if ((o.ok && REPAIR_AFTER_OK.has(method)) || REPAIR_AFTER_ANY.has(method)) await world.repair();
}
