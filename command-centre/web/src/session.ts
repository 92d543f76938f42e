// The operator logged in to this page: who, with which role and scope, what the role may do, and the
// CSRF token every POST carries. The session itself is an HttpOnly cookie the page never sees.
import { createContext, useContext } from 'react';

export type Action = 'read' | 'ack' | 'resend' | 'publish' | 'accounts' | 'audit';

export interface SessionInfo {
  user: { id: number; name: string; displayName: string; role: string; scope: 'city' | string[] };
  can: Action[];
  csrfToken: string;
  expiresAt: string;
}

export interface ApiErrorBody {
  code: string;
  vi: string;
  en: string;
}

export const SessionContext = createContext<SessionInfo | null>(null);

export function useSession(): SessionInfo {
  const s = useContext(SessionContext);
  if (!s) throw new Error('no session');
  return s;
}

/** A same-origin JSON POST with the session's CSRF header. */
export async function post<T>(
  path: string,
  body: unknown,
  csrf: string,
): Promise<{ ok: boolean; status: number; result?: T; error?: ApiErrorBody }> {
  try {
    const res = await fetch(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CC-CSRF': csrf },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as { ok: boolean; result?: T; error?: ApiErrorBody };
    return { ...json, status: res.status };
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    return {
      ok: false,
      status: 0,
      error: { code: 'NETWORK', vi: `Lỗi mạng: ${msg}`, en: `Network error: ${msg}` },
    };
  }
}
