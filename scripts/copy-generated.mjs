// tsc does not copy plain .js inputs: put peggy's generated parser next to the compiled code.
import { cpSync } from 'node:fs';

cpSync('src/config/generated', 'dist/config/generated', { recursive: true });
