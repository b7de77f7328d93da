import { defineConfig } from 'vitest/config';

// Three projects: pure unit tests, adapter tests on loopback, and tests that need root and
// network namespaces (run one file at a time: they share the host's /run and netns names).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'adapters',
          include: ['test/adapters/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'netns',
          include: ['test/netns/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
