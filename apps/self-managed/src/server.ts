import { runService } from "@token-broker/instance";
import { selfManagedApp } from "./app.ts";
import { readSelfManagedConfig } from "./config.ts";

await runService({ readConfig: readSelfManagedConfig, app: selfManagedApp });
