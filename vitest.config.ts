import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["{apps,packages}/*/{src,test}/**/*.test.ts", "test/**/*.test.ts"],
    // `pnpm test:scale` runs them (they need HAProxy and PgBouncer).
    exclude: [...configDefaults.exclude, "test/scale/**"],
    globalSetup: ["./packages/testing/src/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
