import { runService } from "@token-broker/instance";
import { saasService } from "./app.ts";

await runService(saasService);
