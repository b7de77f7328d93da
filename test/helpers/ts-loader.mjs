/** `node --import ./test/helpers/ts-loader.mjs file.ts`: registers ts-loader-hooks.mjs. */
import { register } from 'node:module';

register(new URL('./ts-loader-hooks.mjs', import.meta.url));
