import { defineConfig } from 'vitest/config';
import { ensureDevCertificates } from './local/certs.js';

// Test workers talk to the emulator over https; Node reads NODE_EXTRA_CA_CERTS only at start, so set it before
// the workers are forked (they inherit this process's environment). TLS checks stay on.
const certificates = await ensureDevCertificates();
process.env.NODE_EXTRA_CA_CERTS = certificates.caPath;

export default defineConfig({
  test: {
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      // The app in-process over in-memory ports: handlers, endpoints, actions and workflows, no network.
      { extends: true, test: { name: 'app', include: ['test/app/**/*.test.ts'] } },
      {
        extends: true,
        test: { name: 'emulator', include: ['test/emulator/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 60_000 },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'soak',
          include: ['test/soak/**/*.test.ts'],
          globalSetup: ['test/e2e/global-setup.ts'],
          // The soak test compares heaps after a full GC.
          execArgv: ['--expose-gc'],
          testTimeout: 300_000,
          hookTimeout: 90_000,
        },
      },
      {
        extends: true,
        // Several app instances on one stack (issue 23); the file starts its own.
        test: { name: 'scale', include: ['test/scale/**/*.test.ts'], testTimeout: 180_000, hookTimeout: 90_000 },
      },
      { extends: true, test: { name: 'package', include: ['test/package/**/*.test.ts'], testTimeout: 60_000 } },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 90_000,
        },
      },
    ],
  },
});
