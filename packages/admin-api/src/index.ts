export { administrationApi } from "./administration-api.ts";
