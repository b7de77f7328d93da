import { defineConfig } from 'vitest/config';

// Five projects: pure unit tests, adapter tests on loopback, tests that need root and network
// namespaces (one file at a time: they share the host's /run and netns names), the VM lab's, and
// the system test of the Debian package under systemd. `npm test` (scripts/run-tests.mjs) runs
// them in three separate phases, so that the VM and the system test never share the machine
// with the timing-sensitive tests; the groupOrder values keep that order for a plain
// `npx vitest run` too.
export default defineConfig({
  test: {
    reporters: ['default', './test/reporters/slowest.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'adapters',
          include: ['test/adapters/**/*.test.ts'],
          sequence: { groupOrder: 0 },
          // Real processes, worker threads and sockets: under a loaded CPU (CI, test:stress)
          // starting a worker with its TypeScript loader alone can take seconds.
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'netns',
          include: ['test/netns/**/*.test.ts'],
          sequence: { groupOrder: 0 },
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        // A real kernel under QEMU (test/vm/vm.ts): IPVS and the modules this machine lacks. Run
        // after the others (QEMU keeps two host threads busy), one file at a time.
        test: {
          name: 'vm',
          include: ['test/vm/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 900_000,
          hookTimeout: 900_000,
          sequence: { groupOrder: 1 },
        },
      },
      {
        // The Debian package in a Debian 12 machine booted with systemd under systemd-nspawn
        // (test/system/machine.ts). Last, alone: it boots a whole system.
        test: {
          name: 'system',
          include: ['test/system/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 900_000,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
