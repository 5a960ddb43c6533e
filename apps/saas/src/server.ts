import { runService } from "@token-broker/instance";
import { saasApp } from "./app.ts";
import { readSaasConfig } from "./config.ts";

await runService({ readConfig: readSaasConfig, app: saasApp });
