import { BrokerError } from "@token-broker/errors";

/** How an administrative operation is refused, with GitLab's messages (docs/instance-api.md). */
export const invalid = (message: string) => new BrokerError("invalid", message);
export const notFound = (what: string) => new BrokerError("not_found", `${what} Not Found`);
export const conflict = (message: string) => new BrokerError("conflict", message);
export const forbidden = () => new BrokerError("forbidden");
