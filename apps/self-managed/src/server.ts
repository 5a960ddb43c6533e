import { runService } from "@token-broker/instance";
import { selfManagedService } from "./app.ts";

await runService(selfManagedService);
