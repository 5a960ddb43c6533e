import { saasService } from "@token-broker/saas/app";
import { selfManagedService } from "@token-broker/self-managed/app";
import { type StartOptions, scheme, startService } from "@token-broker/testing";

/** The SaaS app on a real port, with its own PostgreSQL database; EXTERNAL_URL is its address. */
export function startSaas(options: StartOptions = {}) {
  return startService(
    {
      ...saasService,
      readConfig: (env) =>
        saasService.readConfig({
          EXTERNAL_URL: `${scheme(options)}://127.0.0.1:${env.PORT}`,
          ...env,
        }),
    },
    options,
  );
}

/** The self-managed app on a real port, with its own PostgreSQL database, proxying to `saasUrl`. */
export function startSelfManaged(saasUrl: string, options: StartOptions = {}) {
  return startService(selfManagedService, {
    ...options,
    env: { SAAS_URL: saasUrl, ...options.env },
  });
}
