import { defineConfig } from "vitest/config";

/** `pnpm test:scale`: the scale-out test (HAProxy, PgBouncer, replicas as processes). */
export default defineConfig({
  test: {
    include: ["test/scale/**/*.test.ts"],
    globalSetup: ["./packages/testing/src/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
