import { defineConfig } from "prisma/config";

// `prisma generate` needs no schema engine, but the CLI insists on locating one and
// would try to download it (no reachable host here). Any existing file satisfies it;
// migrations run through the WebAssembly engine instead (pnpm db:migrate).
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= "/bin/false";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});
