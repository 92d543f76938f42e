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
  },
});
