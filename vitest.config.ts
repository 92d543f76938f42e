import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests share Mosquitto/socat/Chromium; two cores: keep files in parallel but bounded.
    maxWorkers: 2,
    // In CI one retry absorbs a timing hiccup of a shared machine; a real fault fails both attempts and
    // vitest names every retried test, so flakiness stays visible.
    retry: process.env.CI ? 1 : 0,
  },
});
