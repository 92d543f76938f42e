// The architecture as a check (npm run depcheck, in CI): folders follow the data flow of a scan
// (DESIGN.md "Architecture"). A folder imports only folders before it in LAYERS, never one after,
// so no two folders can depend on each other; and no file-level import cycle anywhere.
/** @type {string[]} in flow order: contract first, the composition root and the CLI last */
const LAYERS = [
  'src/contract',
  'src/base',
  'src/api',
  'src/hardware',
  'src/formats',
  'src/documents',
  'src/policy',
  'src/lane',
  'src/store',
  'src/audit',
  'src/auth',
  'src/reports',
  'src/supervision',
  'src/uplink',
  'src/host',
  'src/config',
  'src/issuer',
  'src/kiosk.ts',
  'src/demo',
  'src/cli',
];

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const pathOf = (layer) => `^${escapeRe(layer)}(/|$)`;

const layerRules = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `flow:${layer}`,
  comment: `${layer} may not import a folder after it in the flow: ${LAYERS.slice(i + 1).join(', ')}`,
  severity: 'error',
  from: { path: pathOf(layer) },
  to: { path: LAYERS.slice(i + 1).map(pathOf) },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import cycle: two files (and so their folders) depend on each other.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'renderer-through-contract',
      comment:
        'The UI reaches the core only through the kiosk API (src/contract); browser-side drivers excepted.',
      severity: 'error',
      from: { path: '^renderer/' },
      to: {
        path: '^src/',
        pathNot: ['^src/contract/', '^src/hardware/(wedge-detector|camera-worker)\\.ts$'],
      },
    },
    {
      name: 'ui-common-through-contract',
      comment: 'What the two web screens share reaches the core only through src/contract.',
      severity: 'error',
      from: { path: '^ui-common/' },
      to: { path: ['^src/', '^renderer/', '^command-centre/'], pathNot: '^src/contract/' },
    },
    {
      name: 'command-centre-shares-contract',
      comment:
        'The command centre shares only src/contract and the generic src/base with the kiosk, and the login, ' +
        'session, TLS-file and hash-chain code it would otherwise write twice.',
      severity: 'error',
      from: { path: '^command-centre/' },
      to: {
        path: '^src/',
        pathNot: [
          '^src/contract/',
          '^src/base/',
          '^src/auth/(credentials|pin|sessions)\\.ts$',
          '^src/host/(auth|tls-files)\\.ts$',
          '^src/store/chain\\.ts$',
        ],
      },
    },
    {
      name: 'core-not-into-shells',
      comment: 'The core knows nothing of the Electron shell, the renderer, the tests or the bench.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: ['^electron/', '^renderer/', '^test/', '^bench/'] },
    },
    {
      name: 'kiosk-not-into-command-centre',
      comment: 'The command centre is not shipped in the kiosk app; only the CLI may load it.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '^command-centre/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^dist/', '^node_modules/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.tsx', '.js', '.json'],
    },
    moduleSystems: ['es6', 'cjs'],
  },
};
