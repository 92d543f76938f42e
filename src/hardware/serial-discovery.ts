// Finds a scanner's serial port by its USB vendor and product id, so a kiosk keeps working when the
// scanner comes back as /dev/ttyACM1 after a re-plug. SerialPort.list() runs `udevadm`, which minimal
// systems lack: then we read the same facts from sysfs. Nothing here throws: no port is an answer.
import { readdir, readFile, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { SerialPort } from 'serialport';

export interface PortInfo {
  path: string;
  vendorId: string | null;
  productId: string | null;
  manufacturer: string | null;
  serialNumber: string | null;
}

/** USB id of a scanner: 4 lower-case hex digits each; no productId matches any product of the vendor. */
export interface UsbId {
  vendorId: string;
  productId?: string | undefined;
}

/** Vendors of common 2D scanners, for `"path": "auto"` and for naming what was found. */
export const KNOWN_SCANNER_VENDORS: Readonly<Record<string, string>> = {
  '0c2e': 'Honeywell (Hand Held Products / Metrologic)',
  '05e0': 'Zebra (Symbol)',
  '1eab': 'Newland',
  '05f9': 'Datalogic',
};

export interface ListResult {
  ports: PortInfo[];
  /** How the list was made; null when neither way worked. */
  via: 'serialport' | 'sysfs' | null;
  /** Why serialport's own list failed (e.g. udevadm missing), for the technician. */
  problem: string | null;
}

export interface DiscoveryDeps {
  /** SerialPort.list by default. */
  list?: () => Promise<Array<Record<string, unknown>>>;
  /** Root of sysfs (default /sys); tests point it at a folder laid out the same way. */
  sysRoot?: string;
  /** Where tty device nodes live (default /dev). */
  devRoot?: string;
  /** Give up on a hung `udevadm` after this long (default 3 s). */
  timeoutMs?: number;
}

const hex4 = (v: unknown): string | null => {
  if (typeof v !== 'string') return null;
  const s = v.trim().toLowerCase().replace(/^0x/, '');
  return /^[0-9a-f]{1,4}$/.test(s) ? s.padStart(4, '0') : null;
};
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

/** Every serial port with what is known of its USB identity. Never rejects. */
export async function listSerialPorts(deps: DiscoveryDeps = {}): Promise<ListResult> {
  let problem: string | null = null;
  let listed: PortInfo[] | null = null;
  try {
    const list = deps.list ?? (() => SerialPort.list() as unknown as Promise<Array<Record<string, unknown>>>);
    const raw = await withTimeout(list(), deps.timeoutMs ?? 3000);
    listed = raw
      .filter((p) => typeof p.path === 'string' && p.path !== '')
      .map((p) => ({
        path: p.path as string,
        vendorId: hex4(p.vendorId),
        productId: hex4(p.productId),
        manufacturer: str(p.manufacturer),
        serialNumber: str(p.serialNumber),
      }));
    // udevadm may run yet know nothing (containers): sysfs may still tell the ids.
    if (listed.some((p) => p.vendorId !== null) || process.platform !== 'linux') {
      return { ports: listed, via: 'serialport', problem: null };
    }
  } catch (err) {
    problem = err instanceof Error ? err.message : String(err);
  }
  if (process.platform === 'linux') {
    try {
      const ports = await listFromSysfs(deps.sysRoot ?? '/sys', deps.devRoot ?? '/dev');
      return { ports, via: 'sysfs', problem };
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      problem = problem ? `${problem}; ${why}` : why;
    }
  }
  return listed ? { ports: listed, via: 'serialport', problem: null } : { ports: [], via: null, problem };
}

/**
 * Linux without udevadm: /sys/class/tty/<name>/device points into the USB interface; the device
 * (with idVendor, idProduct, manufacturer, serial) is the first parent folder holding idVendor.
 */
export async function listFromSysfs(sysRoot: string, devRoot: string): Promise<PortInfo[]> {
  const classDir = join(sysRoot, 'class', 'tty');
  const names = (await readdir(classDir)).filter((n) => /^(ttyACM|ttyUSB)\d+$/.test(n)).sort();
  const out: PortInfo[] = [];
  for (const name of names) {
    let dir: string;
    try {
      dir = await realpath(join(classDir, name, 'device'));
    } catch {
      continue;
    }
    const info: PortInfo = {
      path: join(devRoot, name),
      vendorId: null,
      productId: null,
      manufacturer: null,
      serialNumber: null,
    };
    for (let up = dir, i = 0; i < 6 && up.startsWith(sysRoot) && up.length > sysRoot.length; i++) {
      const vendor = await readFile(join(up, 'idVendor'), 'utf8').catch(() => null);
      if (vendor !== null) {
        const read = (f: string) => readFile(join(up, f), 'utf8').then(str, () => null);
        info.vendorId = hex4(vendor);
        info.productId = hex4(await read('idProduct'));
        info.manufacturer = await read('manufacturer');
        info.serialNumber = await read('serial');
        break;
      }
      up = join(up, '..');
    }
    out.push(info);
  }
  return out;
}

/** The ports that match `id`, or any known scanner vendor when id is 'auto'; by path, for a stable pick. */
export function matchPorts(ports: readonly PortInfo[], id: UsbId | 'auto'): PortInfo[] {
  const match = (p: PortInfo) =>
    id === 'auto'
      ? p.vendorId !== null && p.vendorId in KNOWN_SCANNER_VENDORS
      : p.vendorId === hex4(id.vendorId) &&
        (id.productId === undefined || p.productId === hex4(id.productId));
  return ports.filter(match).sort((a, b) => a.path.localeCompare(b.path));
}

export interface Discovery {
  path: string | null;
  /** Why nothing was found, in both languages, for the scanner state in the UI. */
  vi: string;
  en: string;
}

export function describeUsbId(id: UsbId | 'auto'): string {
  return id === 'auto' ? 'auto' : `${hex4(id.vendorId)}:${id.productId ? hex4(id.productId) : '*'}`;
}

/** The first port matching `id`; never rejects. */
export async function discoverScannerPort(id: UsbId | 'auto', deps: DiscoveryDeps = {}): Promise<Discovery> {
  const listed = await listSerialPorts(deps);
  const found = matchPorts(listed.ports, id)[0];
  if (found) return { path: found.path, vi: `Tìm thấy ${found.path}`, en: `Found ${found.path}` };
  const what = describeUsbId(id);
  if (listed.via === null) {
    return {
      path: null,
      vi: `Không liệt kê được cổng nối tiếp (${listed.problem ?? '?'}); hãy đặt "path" trong kiosk.json`,
      en: `Cannot list serial ports (${listed.problem ?? '?'}); set "path" in kiosk.json`,
    };
  }
  return {
    path: null,
    vi: `Không thấy máy quét USB ${what} (${listed.ports.length} cổng nối tiếp)`,
    en: `No USB scanner ${what} found (${listed.ports.length} serial ports)`,
  };
}
