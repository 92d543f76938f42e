// The checks every POST to the dashboard passes before it is acted on: same origin, the session's CSRF
// header, JSON content, a size limit, valid JSON. A refusal is answered here, in both languages.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { apiError, isSameHostRequest, readBody, type Scheme, sendJson } from '../../src/base/http.js';

export const CC_CSRF_HEADER = 'x-cc-csrf';

/** Returned when the request was refused (and answered). */
export const NOTHING: unique symbol = Symbol('refused');

export async function readJsonPost(
  req: IncomingMessage,
  res: ServerResponse,
  o: { allowed: ReadonlySet<string>; scheme: Scheme; csrf: string | null; maxBytes: number },
): Promise<unknown | typeof NOTHING> {
  const refuse = (status: number, code: string, vi: string, en: string) => {
    req.resume();
    sendJson(res, status, { ok: false, error: apiError(code, vi, en) });
    return NOTHING;
  };
  // Same-origin JSON only: a page elsewhere cannot make the command centre sign or send anything.
  if (!isSameHostRequest(req.headers, o.allowed, o.scheme)) {
    return refuse(403, 'FORBIDDEN_ORIGIN', 'Nguồn gọi không được phép', 'Origin not allowed');
  }
  // The cookie rides along with any request the browser makes; the header proves our own page sent it.
  if (o.csrf !== null && req.headers[CC_CSRF_HEADER] !== o.csrf) {
    return refuse(403, 'CSRF', 'Thiếu mã chống giả mạo yêu cầu', 'Missing or wrong CSRF token');
  }
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    return refuse(
      415,
      'BAD_CONTENT_TYPE',
      'Cần Content-Type: application/json',
      'Content-Type must be application/json',
    );
  }
  const body = await readBody(req, o.maxBytes);
  if (!body.ok) {
    sendJson(res, body.status, { ok: false, error: body.error });
    return NOTHING;
  }
  try {
    return JSON.parse(body.text) as unknown;
  } catch {
    return refuse(400, 'BAD_JSON', 'Nội dung không phải JSON hợp lệ', 'Body is not valid JSON');
  }
}
