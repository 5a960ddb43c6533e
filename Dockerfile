# Production images of the three services, one target each (the build context is the
# repository):
#
#   docker build --target saas         -t token-broker-saas .
#   docker build --target self-managed -t token-broker-self-managed .
#   docker build --target ai-gateway   -t token-broker-ai-gateway .
#
# Each image runs its service's production bundle (`pnpm build`: apps/<service>/dist/server.mjs,
# our code and most dependencies in one module), as `pnpm start:*` and the benchmark do; only
# the packages the bundle leaves outside (WebAssembly, files loaded next to themselves) are
# installed, as production dependencies.

# ---- pnpm, for the build stages only --------------------------------------------------------
FROM node:24-bookworm-slim AS pnpm
ENV CI=true
RUN npm install --global --no-fund --no-audit pnpm@12.4.2 && npm cache clean --force
WORKDIR /app

# ---- every package of the lockfile into pnpm's store: cached until the lockfile changes ----
FROM pnpm AS fetch
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
RUN pnpm fetch

# ---- the workspace's manifests (and the Prisma schema) without the sources, so that the
# ---- install layers below are rebuilt only when dependencies or the schema change --------
FROM pnpm AS manifests
COPY . /context
RUN cd /context \
 && mkdir -p /manifests \
 && cp --parents package.json pnpm-lock.yaml pnpm-workspace.yaml prisma.config.ts /manifests \
 && find apps packages -mindepth 2 -maxdepth 2 -name package.json -exec cp --parents {} /manifests \; \
 && cp -r prisma /manifests/prisma

# ---- the production bundles, built with the full (development) install ---------------------
FROM fetch AS build
COPY --from=manifests /manifests ./
RUN pnpm install --offline --frozen-lockfile --ignore-scripts \
 && pnpm db:generate
COPY apps ./apps
COPY packages ./packages
COPY scripts/build.ts ./scripts/build.ts
RUN pnpm build

# ---- production dependencies of each service, from the store, without install scripts ------
# --no-optional leaves out the Prisma CLI and TypeScript, which the lockfile records as optional
# peers of @prisma/client. Of the query compilers only PostgreSQL's is kept (the embedded
# database is PostgreSQL too); type declarations and source maps go. The AI gateway has no
# database: only its own dependencies (the bundle's externals), no Prisma, no schema.
FROM fetch AS production-dependencies
COPY --from=manifests /manifests /manifests
RUN for service in saas self-managed ai-gateway; do \
      selection="@token-broker/$service..." \
      && if [ "$service" = ai-gateway ]; then selection="@token-broker/$service"; fi \
      && mkdir -p "/out/$service" \
      && cp -a /manifests/. "/out/$service/" \
      && cd "/out/$service" \
      && pnpm install --offline --frozen-lockfile --prod --no-optional --ignore-scripts \
           --filter "$selection" \
      && rm -rf prisma.config.ts packages/testing packages/service-runner \
      && if [ "$service" = ai-gateway ]; then rm -rf prisma; fi \
      && find apps -mindepth 1 -maxdepth 1 ! -name "$service" -exec rm -rf {} + \
      && find node_modules/.pnpm -path '*/node_modules/@prisma/client/runtime/*' -type f \
           \( -name 'query_compiler_*' ! -name 'query_compiler_small_bg.postgresql.*' \
              -o -name 'wasm-compiler-edge.*' \) -delete \
      && find node_modules/.pnpm -type f \
           \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' \) -delete \
      || exit 1; \
    done

# ---- runtime: Node, the bundle, its runtime packages; no pnpm, no compiler, no sources -----
FROM node:24-bookworm-slim AS runtime
# Resident memory: glibc keeps a malloc arena per thread (crypto runs on libuv's pool); two
# save ~60 MB. The same setting as `pnpm start:*` and the benchmark.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    MALLOC_ARENA_MAX=2
WORKDIR /app
# The embedded database's default directory, for a quick try without PostgreSQL; production
# sets DATABASE_URL. Everything else stays owned by root, read-only for the service.
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
# Healthy when the database answers (GitLab's readiness path); no curl in the slim image.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/-/readiness`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node is PID 1: the services handle SIGTERM and SIGINT (stop accepting, finish requests under
# way within 10 s, exit 0), so `docker stop` needs no init process. Give it more than 10 s.
STOPSIGNAL SIGTERM

FROM runtime AS saas
COPY --from=production-dependencies /out/saas/ ./
COPY --from=build /app/apps/saas/dist apps/saas/dist
ENV PORT=3001
EXPOSE 3001
# Applies pending migrations, then serves. One-off migration job instead (DATABASE_URL only):
#   node apps/saas/dist/server.mjs --migrate-only
# Console: node apps/saas/dist/console.mjs --help
CMD ["node", "apps/saas/dist/server.mjs"]

FROM runtime AS self-managed
COPY --from=production-dependencies /out/self-managed/ ./
COPY --from=build /app/apps/self-managed/dist apps/self-managed/dist
ENV PORT=3000
EXPOSE 3000
CMD ["node", "apps/self-managed/dist/server.mjs"]

FROM runtime AS ai-gateway
COPY --from=production-dependencies /out/ai-gateway/ ./
COPY --from=build /app/apps/ai-gateway/dist apps/ai-gateway/dist
# Production mode (NODE_ENV above): AI_GATEWAY_SIGNING_KEY and AI_GATEWAY_TRUSTED_ISSUERS are
# required; without MODEL_ENDPOINT completions answer 503.
ENV PORT=5052
EXPOSE 5052
# No database: healthy when the process serves (its readiness fails only while it drains).
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/monitoring/ready`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "apps/ai-gateway/dist/server.mjs"]
