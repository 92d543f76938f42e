// Electron's security checklist, as functions the shell applies to every web contents and session.
// Everything is denied by default; the only page we trust is our own renderer, served from our own
// files under the kiosk:// scheme (see renderer-protocol.ts), in the main frame of our window.
import type { Input, Session, WebContents, WebFrameMain } from 'electron';
import { contentSecurityPolicy } from '../src/base/csp.js';

/** Our own scheme and origin: the renderer never loads from file:// or the network. */
export const APP_SCHEME = 'kiosk';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/**
 * Sent as a response header with every file of the renderer (src/base/csp.ts, the one policy). The
 * built index.html carries its meta copy too. No network: the kiosk API comes through the preload.
 */
export const CONTENT_SECURITY_POLICY = contentSecurityPolicy();

/** Headers sent with every renderer file (CSP plus the browser's other opt-in protections). */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Referrer-Policy': 'no-referrer',
  // The camera for our own page only (QR decoding); nothing else a page could ask for.
  'Permissions-Policy': 'camera=(self), microphone=(), geolocation=(), usb=(), serial=(), hid=(), payment=()',
};

/** True when url is a page or file of our own renderer (kiosk://app/...), never anything else. */
export function isOwnUrl(url: string | undefined | null): boolean {
  if (!url) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.username === '';
}

/** True when origin (scheme://host, no path) is our renderer's. */
export function isOwnOrigin(origin: string | undefined | null): boolean {
  return origin === APP_ORIGIN;
}

/**
 * The IPC sender check: the message must come from our window's web contents, from its main frame
 * (not an iframe), while that frame shows our own page.
 */
export function isTrustedSender(
  sender: WebContents | null | undefined,
  senderFrame: WebFrameMain | null | undefined,
  ours: WebContents | null,
): boolean {
  if (!sender || !senderFrame || !ours || sender !== ours) return false;
  if (senderFrame !== ours.mainFrame || senderFrame.parent !== null) return false;
  return isOwnUrl(senderFrame.url);
}

/** Camera only (video, never audio), only for our own page in its main frame. */
export function allowPermissionRequest(
  contents: WebContents,
  permission: string,
  details: { requestingUrl?: string; isMainFrame?: boolean; mediaTypes?: Array<'video' | 'audio'> },
  ours: WebContents | null,
): boolean {
  if (permission !== 'media' || contents !== ours || details.isMainFrame !== true) return false;
  if (!isOwnUrl(details.requestingUrl) || !isOwnUrl(contents.getURL())) return false;
  const types = details.mediaTypes ?? [];
  return types.length > 0 && types.every((t) => t === 'video');
}

/** The synchronous check Chromium makes before (and instead of) a request: the same rule. */
export function allowPermissionCheck(
  contents: WebContents | null,
  permission: string,
  requestingOrigin: string,
  details: { mediaType?: 'video' | 'audio' | 'unknown'; isMainFrame?: boolean; securityOrigin?: string },
  ours: WebContents | null,
): boolean {
  if (permission !== 'media' || !contents || contents !== ours) return false;
  if (!isOwnOrigin(requestingOrigin) || details.mediaType !== 'video') return false;
  return details.securityOrigin === undefined || isOwnOrigin(details.securityOrigin);
}

/** Session-wide rules: permissions, devices, downloads, spell-check dictionaries (a network fetch). */
export function hardenSession(ses: Session, ours: () => WebContents | null): void {
  ses.setPermissionRequestHandler((contents, permission, callback, details) => {
    callback(allowPermissionRequest(contents, permission, details, ours()));
  });
  ses.setPermissionCheckHandler((contents, permission, requestingOrigin, details) =>
    allowPermissionCheck(contents, permission, requestingOrigin, details, ours()),
  );
  // WebHID/WebUSB/Web Serial from the page: never. The scanner is read by the backend, not the page.
  ses.setDevicePermissionHandler(() => false);
  ses.setSpellCheckerEnabled(false);
  ses.on('will-download', (event) => event.preventDefault());
}

/**
 * Navigation, redirects, new windows and webviews: all blocked, for every web contents the app makes.
 * Our own loads (loadURL, reload) do not raise these events, so nothing legitimate is stopped.
 */
export function hardenContents(contents: WebContents): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-frame-navigate', (event) => {
    if (!event.isMainFrame) event.preventDefault();
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  // devTools:false already; should anything open them, close them at once.
  contents.on('devtools-opened', () => contents.closeDevTools());
}

function ctrl(input: Input): boolean {
  return input.control || input.meta;
}

/**
 * Keys that would reload the page, open developer tools, leave full screen, close the window, print,
 * zoom or navigate history. Everything else passes, so keyboard-wedge scanners and text fields work.
 */
export function isBlockedShortcut(input: Input): boolean {
  if (input.type !== 'keyDown' && input.type !== 'rawKeyDown') return false;
  const key = input.key.length === 1 ? input.key.toLowerCase() : input.key;
  const code = input.code;
  if (['F5', 'F11', 'F12', 'BrowserRefresh', 'BrowserBack', 'BrowserForward', 'BrowserHome'].includes(key))
    return true;
  if (['BrowserRefresh', 'BrowserBack', 'BrowserForward', 'BrowserHome'].includes(code)) return true;
  if (input.alt && ['F4', 'ArrowLeft', 'ArrowRight', 'Home'].includes(key)) return true;
  if (ctrl(input)) {
    if (['r', 'w', 'q', 'n', 't', 'p', 'o', 's', 'u'].includes(key)) return true;
    if (['=', '+', '-', '_', '0', 'F4', 'F5', 'Tab'].includes(key)) return true;
    if (input.shift && ['i', 'j', 'c', 'r', 'delete', 'Delete'].includes(key)) return true;
  }
  return false;
}
