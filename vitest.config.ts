import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests share Mosquitto/socat/Chromium; two cores: keep files in parallel but bounded.
    maxWorkers: 2,
    // No retry: a test that needs one is a bug in the test or the code, and is fixed, not retried.
    retry: 0,
    // Measured by `npm test` (vitest run --coverage), which fails below the floor; a single file run
    // with `npx vitest run <file>` is not measured.
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      exclude: [
        // The renderer's sources that tests import (renderer/src/**) are not the kiosk's src/.
        'renderer/**',
        // Worker thread entries: they run in worker threads, which in-process coverage does not see.
        'src/documents/revocation-worker.ts',
        'src/reports/pdf-worker.ts',
        // A Web Worker of the renderer: runs in Chromium, tested there (guard-camera e2e).
        'src/hardware/camera-worker.ts',
        // The CLI entry: parses argv and exits the process; tests run it as a child process.
        'src/cli/main.ts',
      ],
      reporter: ['text-summary', 'text', 'json-summary'],
      // The figures are printed even when a test failed (the floor is checked all the same).
      reportOnFailure: true,
      thresholds: { lines: 90 },
    },
  },
});
