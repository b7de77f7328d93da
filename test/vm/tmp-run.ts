import { runInVm } from './vm.js';
const r = await runInVm(
  'bash test/vm/scenarios/ipvs-compare.sh test/fixtures/ipvs/director.conf test/fixtures/ipvs/director-reload.conf keepalived-ts',
  { keep: true, timeoutS: 900 },
);
console.log('code', r.code, 'dir', r.dir, 'wall', r.wallMs);
