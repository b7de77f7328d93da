// Lint rules: typescript-eslint's type-checked presets, plus the project's own rules
// (docs/architecture.md, "Layers" and "Boundaries"): what each folder of src/ may import,
// exhaustive switches, no floating promises, node: imports, process.exit only in the entry
// point, and no I/O or clock in the pure core.
import js from '@eslint/js';
import n from 'eslint-plugin-n';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import layers from './scripts/eslint-layers.mjs';

/**
 * What each folder of src/ may import: other folders (`folders`) and `node:` modules or npm
 * packages (`modules`). Bottom to top: lib; config; vrrp (the protocol core) beside host and net
 * (the OS adapters); check and dispatch; daemon, the composition; cli and the entry point.
 * `pure`: the folder does no I/O and reads no clock (the rules below).
 */
const LAYERS = {
  lib: { pure: true, folders: [], modules: [] },
  config: { pure: true, folders: ['lib'], modules: ['node:path'] },
  vrrp: { pure: true, folders: ['lib', 'config'], modules: [] },
  convert: { pure: true, folders: ['lib', 'config'], modules: [] },
  host: {
    folders: ['lib', 'config'],
    modules: ['node:child_process', 'node:crypto', 'node:fs', 'node:os', 'node:path'],
  },
  net: {
    folders: ['lib', 'config'],
    modules: ['node:child_process', 'node:fs', 'node:module', 'node:net', 'node:url'],
  },
  check: {
    folders: ['lib', 'config', 'host', 'net'],
    modules: [
      'node:crypto',
      'node:dgram',
      'node:fs/promises',
      'node:net',
      'node:os',
      'node:perf_hooks',
      'node:tls',
      'node:util',
      'pino',
    ],
  },
  dispatch: {
    folders: ['lib', 'config', 'net', 'check'],
    modules: ['node:dgram', 'node:net', 'node:os', 'node:util', 'node:worker_threads', 'pino'],
  },
  daemon: {
    folders: ['lib', 'config', 'vrrp', 'host', 'net', 'check', 'dispatch'],
    modules: [
      'node:child_process',
      'node:crypto',
      'node:fs',
      'node:fs/promises',
      'node:http',
      'node:net',
      'node:os',
      'node:path',
      'node:util',
      'net-snmp',
      'nodemailer',
      'pino',
    ],
  },
  cli: {
    folders: ['lib', 'config', 'host', 'daemon', 'convert'],
    modules: ['node:fs', 'node:net', 'node:path'],
  },
  'cli.ts': { folders: ['lib', 'config', 'host', 'check', 'daemon', 'cli'], modules: ['node:fs'] },
};

// Pure code: bytes and data in, bytes and data out; no I/O, no clock. The pure folders, and the
// pure files of the adapter folders.
const PURE = [
  ...Object.entries(LAYERS)
    .filter(([, layer]) => layer.pure)
    .map(([folder]) => `src/${folder}/**/*.ts`),
  'src/net/netlink.ts',
  'src/net/garp.ts',
  'src/net/cmsg.ts',
  'src/net/sockaddr.ts',
  'src/dispatch/schedulers/**/*.ts',
  'src/dispatch/persistence.ts',
  'src/daemon/dumps/!(write-dump).ts',
  'src/daemon/metrics.ts',
  'src/cli/flag-notes.ts',
  'src/cli/signum.ts',
  'src/check/verdict.ts',
  'src/check/pool.ts',
  'src/check/announce.ts',
  'src/check/identity.ts',
  'src/check/reload-planner.ts',
  'src/check/checker-type.ts',
  'src/check/checker-stats.ts',
  'src/daemon/reload-plan.ts',
  'src/daemon/log-records.ts',
  'src/daemon/prom-text.ts',
  'src/daemon/metrics-compat.ts',
  'src/daemon/snmp-mib.ts',
  'src/daemon/smtp-alerts.ts',
];

export default tseslint.config(
  { ignores: ['dist/', 'build/', 'pkg/', 'src/config/generated/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: ['./tsconfig.json'], tsconfigRootDir: import.meta.dirname },
    },
    plugins: { n },
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      'n/prefer-node-protocol': 'error',
      'n/no-process-exit': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/config/generated/**'],
    plugins: { layers },
    rules: {
      'layers/allowed-imports': ['error', { srcRoot: `${import.meta.dirname}/src`, layers: LAYERS }],
    },
  },
  {
    files: PURE,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            'node:fs',
            'node:net',
            'node:dgram',
            'node:child_process',
            'node:os',
            'node:process',
            'undici',
            'pino',
          ].map((name) => ({
            name,
            message: 'The pure core does no I/O: take a port (docs/architecture.md, "Boundaries").',
          })),
          patterns: [
            {
              group: ['**/host/**', '**/net/**', '**/daemon/**'],
              message: 'The pure core may not import adapters.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'The pure core does not read the process: take it as an argument.' },
        { name: 'setTimeout', message: 'The pure core has no timers: take a Clock.' },
        { name: 'setInterval', message: 'The pure core has no timers: take a Clock.' },
      ],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'Take a Clock.' }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: globals.node },
  },
);
