/** `npm run demo` (as root): runs demo.ts, printing as it goes; exits 0 when every step behaved. */
import { runDemo } from './demo.js';

if (process.getuid?.() !== 0)
  throw new Error('npm run demo builds network namespaces: run it as root (sudo npm run demo)');

let destroy = (): void => undefined;
// Ctrl-C: kill the lab's processes and remove its namespaces, then die of SIGINT as usual.
process.once('SIGINT', () => {
  destroy();
  console.log('interrupted: lab removed');
  process.kill(process.pid, 'SIGINT');
});
const ok = await runDemo(
  (line) => console.log(line),
  (d) => (destroy = d),
);
process.exitCode = ok ? 0 : 1;
