export {
  type Exit,
  type Service,
  type ServiceProcess,
  type SpawnOptions,
  spawnService,
} from "./service-process.ts";
