import { openDatabase } from "@token-broker/db";
import { applyMigrations } from "@token-broker/db/migrations";
import pg from "pg";
import { measureTokenRequests } from "./load.ts";
import { seedUsers } from "./seed.ts";
import { startBenchService } from "./services.ts";

const KEY_BASE = "bench-key-base-0123456789abcdefghijklmnop";
const admin = new pg.Client({ connectionString: "postgres://postgres@127.0.0.1:5432/postgres" });
await admin.connect();
await admin.query("DROP DATABASE IF EXISTS probe WITH (FORCE)");
await admin.query("CREATE DATABASE probe");
const url = "postgres://postgres@127.0.0.1:5432/probe";
const db = await openDatabase({ kind: "postgres", url });
await applyMigrations(db);
await db.close();
const seeded = await seedUsers(url, { users: 1000, keyBase: KEY_BASE, sample: 1000 });
for (const args of JSON.parse(process.env.ARGSETS ?? "[[]]") as string[][]) {
  const svc = await startBenchService({
    root: process.cwd(),
    service: "saas",
    name: "probe",
    port: 4199,
    logDir: "/tmp",
    env: { DATABASE_URL: url, DB_KEY_BASE: KEY_BASE, MALLOC_ARENA_MAX: "2" },
    nodeArgs: args,
  });
  const idle = await svc.residentMiB();
  await measureTokenRequests({
    url: svc.url,
    tokens: seeded.tokens,
    connections: 32,
    durationSeconds: 2,
  });
  const r = await measureTokenRequests({
    url: svc.url,
    tokens: seeded.tokens,
    connections: 32,
    durationSeconds: 5,
  });
  console.log(
    args.join(" ") || "(defaults)",
    `idle ${idle.toFixed(0)} MiB, after ${(await svc.residentMiB()).toFixed(0)} MiB, ${r.requestsPerSecond.toFixed(0)}/s`,
  );
  await svc.stop();
}
await admin.query("DROP DATABASE probe WITH (FORCE)");
await admin.end();
