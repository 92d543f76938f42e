// Serving a built web app (the guard's screen, the command centre's dashboard) from its folder: only
// regular files inside the folder, symlinks resolved and checked, hashed assets cached for good.
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { contentTypeFor } from './http.js';

/** Streams the file a GET/HEAD path names under root; false when there is none (the caller answers 404). */
export async function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  root: string,
  pathname: string,
): Promise<boolean> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return false;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return false;
  const file = await resolveInside(root, decoded === '/' || decoded === '' ? 'index.html' : `.${decoded}`);
  if (!file) return false;
  res.statusCode = 200;
  res.setHeader('Content-Type', contentTypeFor(file.path));
  res.setHeader('Content-Length', file.size);
  // Vite puts content-hashed files under assets/: they never change, so cache them for good.
  const hashed = decoded.startsWith('/assets/');
  res.setHeader('Cache-Control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
  if (req.method === 'HEAD') {
    res.end();
    return true;
  }
  const stream = createReadStream(file.path);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
  return true;
}

/** A request path as a regular file inside root, following symlinks; else null. */
async function resolveInside(root: string, relative: string): Promise<{ path: string; size: number } | null> {
  const base = path.resolve(root);
  const inside = (p: string) => p.startsWith(base.endsWith(path.sep) ? base : base + path.sep);
  const candidate = path.resolve(base, relative);
  if (!inside(candidate)) return null;
  try {
    const real = await realpath(candidate);
    if (!inside(real)) return null;
    const info = await stat(real);
    return info.isFile() ? { path: real, size: info.size } : null;
  } catch {
    return null;
  }
}
