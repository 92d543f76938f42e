// @peculiar/x509 resolves its algorithms through tsyringe, which refuses to load without the Reflect
// metadata API (normally the `reflect-metadata` package, not among our dependencies yet). This is the
// part of that API tsyringe and tslib's decorators use, kept on WeakMaps; a real polyfill loaded
// first takes precedence.
type Table = Map<unknown, unknown>;
type Prop = string | symbol | undefined;

const tables = new WeakMap<object, Map<Prop, Table>>();

function table(target: object, prop: Prop, create: boolean): Table | undefined {
  let byProp = tables.get(target);
  if (!byProp) {
    if (!create) return undefined;
    byProp = new Map();
    tables.set(target, byProp);
  }
  let t = byProp.get(prop);
  if (!t && create) {
    t = new Map();
    byProp.set(prop, t);
  }
  return t;
}

function lookup(key: unknown, target: object, prop: Prop): { found: boolean; value: unknown } {
  for (let t: object | null = target; t; t = Object.getPrototypeOf(t) as object | null) {
    const own = table(t, prop, false);
    if (own?.has(key)) return { found: true, value: own.get(key) };
  }
  return { found: false, value: undefined };
}

const R = Reflect as unknown as Record<string, unknown>;
if (typeof R.getMetadata !== 'function') {
  R.defineMetadata = (key: unknown, value: unknown, target: object, prop?: Prop) => {
    table(target, prop, true)!.set(key, value);
  };
  R.getOwnMetadata = (key: unknown, target: object, prop?: Prop) => table(target, prop, false)?.get(key);
  R.hasOwnMetadata = (key: unknown, target: object, prop?: Prop) =>
    table(target, prop, false)?.has(key) ?? false;
  R.getMetadata = (key: unknown, target: object, prop?: Prop) => lookup(key, target, prop).value;
  R.hasMetadata = (key: unknown, target: object, prop?: Prop) => lookup(key, target, prop).found;
  R.metadata = (key: unknown, value: unknown) => (target: object, prop?: Prop) => {
    table(target, prop, true)!.set(key, value);
  };
}

export {};
