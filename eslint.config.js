// Lint rules: typescript-eslint's type-checked presets, plus the project's own rules
// (docs/architecture.md, "Boundaries"): exhaustive switches, no floating promises, node: imports,
// process.exit only in the CLI/daemon entry points, and no I/O or clock in the pure core.
import js from '@eslint/js';
import n from 'eslint-plugin-n';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Pure code: bytes and data in, bytes and data out; no I/O, no clock.
const PURE = [
  'src/config/**/*.ts',
  'src/vrrp/**/*.ts',
  'src/lib/ip.ts',
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
