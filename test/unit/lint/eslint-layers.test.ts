/**
 * The layering rule (scripts/eslint-layers.mjs) on small sources: an import a folder's allowlist
 * names passes; one it does not, a `node:` module or a package it does not list, and a folder the
 * layering does not know are errors.
 */
import { RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';
import { afterAll, describe, it } from 'vitest';
import layers from '../../../scripts/eslint-layers.mjs';

Object.assign(RuleTester, { afterAll, describe, it, itOnly: it.only });

const srcRoot = '/repo/src';
const LAYERS = {
  lib: { folders: [], modules: [] },
  vrrp: { folders: ['lib'], modules: [] },
  daemon: { folders: ['lib', 'vrrp'], modules: ['node:fs', 'pino', '@scope/pkg'] },
};
const options = [{ srcRoot, layers: LAYERS }];
const tester = new RuleTester({ languageOptions: { parser: tseslint.parser } });

tester.run('layers/allowed-imports', layers.rules['allowed-imports'], {
  valid: [
    { filename: `${srcRoot}/vrrp/fsm.ts`, code: "import { x } from '../lib/ip.js';", options },
    { filename: `${srcRoot}/vrrp/fsm.ts`, code: "import { y } from './packet.js';", options },
    { filename: `${srcRoot}/daemon/a/b.ts`, code: "import { x } from '../../vrrp/fsm.js';", options },
    { filename: `${srcRoot}/daemon/main.ts`, code: "import { readFileSync } from 'node:fs';", options },
    { filename: `${srcRoot}/daemon/main.ts`, code: "import pino from 'pino';", options },
    { filename: `${srcRoot}/daemon/main.ts`, code: "import { z } from '@scope/pkg/sub';", options },
    { filename: `${srcRoot}/daemon/main.ts`, code: "const m = await import('../vrrp/fsm.js');", options },
    // Outside src/ the rule says nothing.
    { filename: '/repo/test/unit/x.test.ts', code: "import { x } from '../../src/daemon/main.js';", options },
  ],
  invalid: [
    {
      filename: `${srcRoot}/lib/ip.ts`,
      code: "import type { Config } from '../vrrp/fsm.js';",
      options,
      errors: [{ messageId: 'folder' }],
    },
    {
      filename: `${srcRoot}/vrrp/fsm.ts`,
      code: "export { x } from '../daemon/main.js';",
      options,
      errors: [{ messageId: 'folder' }],
    },
    {
      filename: `${srcRoot}/vrrp/fsm.ts`,
      code: "const m = await import('../daemon/main.js');",
      options,
      errors: [{ messageId: 'folder' }],
    },
    {
      filename: `${srcRoot}/vrrp/fsm.ts`,
      code: "import { readFileSync } from 'node:fs';",
      options,
      errors: [{ messageId: 'module' }],
    },
    {
      filename: `${srcRoot}/daemon/main.ts`,
      code: "import { x } from 'left-pad';",
      options,
      errors: [{ messageId: 'module' }],
    },
    {
      filename: `${srcRoot}/daemon/main.ts`,
      code: "import { x } from '@scope/other';",
      options,
      errors: [{ messageId: 'module' }],
    },
    {
      filename: `${srcRoot}/newfolder/a.ts`,
      code: "import { x } from '../lib/ip.js';",
      options,
      errors: [{ messageId: 'unknown' }],
    },
  ],
});
