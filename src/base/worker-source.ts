// Where a worker thread's code is. The compiled kiosk runs the .js beside the file that starts it; from
// the TypeScript sources (tests, bench) the worker first registers tsx's ESM loader, which a worker's
// execArgv cannot do on Node 20.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The `Worker` source and `eval` option for the worker module `name` beside `callerUrl`. */
export function workerSource(callerUrl: string, name: string): { source: string | URL; eval: boolean } {
  if (!callerUrl.endsWith('.ts')) return { source: new URL(`./${name}.js`, callerUrl), eval: false };
  const require = createRequire(callerUrl);
  const pkgPath = require.resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as {
    exports: Record<string, { import: { default: string } }>;
  };
  const api = pathToFileURL(join(dirname(pkgPath), pkg.exports['./esm/api']!.import.default)).href;
  const entry = new URL(`./${name}.ts`, callerUrl).href;
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return { source: code, eval: true };
}
