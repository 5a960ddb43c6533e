import {
  type ApplicationSettings,
  loadFeatureSnapshot,
  readApplicationSettings,
} from "@token-broker/admin";
import type { FeatureGateSnapshot } from "@token-broker/policy";
import type { FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { type ChangeFeed, startChangeFeed } from "../cache/change-feed.ts";
import { createLoadingCache } from "../cache/loading-cache.ts";

declare module "fastify" {
  interface FastifyInstance {
    changeFeed: ChangeFeed;
    /** Whether the caches may answer this request; asked once per request. */
    cachesFresh(request: FastifyRequest): Promise<boolean>;
    /** The feature flags as they stand for this request. */
    featureSnapshot(request: FastifyRequest): Promise<FeatureGateSnapshot>;
    /** The application settings as they stand for this request. */
    applicationSettings(request: FastifyRequest): Promise<ApplicationSettings>;
  }
}

const TTL_MS = 60_000;

/**
 * What a token request reads besides the token: feature flags and application settings,
 * kept in memory while the database's change notifications say they have not changed.
 */
export const instanceState = fp(
  async (app) => {
    const { prisma } = app.database;
    const feed = await startChangeFeed(app.database, app.log);
    app.addHook("onClose", () => feed.close());

    const freshness = new WeakMap<FastifyRequest, Promise<boolean>>();
    const cachesFresh = (request: FastifyRequest) => {
      let fresh = freshness.get(request);
      if (fresh === undefined) {
        fresh = feed.fresh();
        freshness.set(request, fresh);
      }
      return fresh;
    };

    const features = createLoadingCache({
      feed,
      load: () => loadFeatureSnapshot(prisma),
      maxEntries: 1,
      ttlMs: TTL_MS,
      onLookup: app.metrics.cacheLookups("features"),
    });
    feed.on("features", () => features.clear());
    feed.on("feature_gates", () => features.clear());

    const settings = createLoadingCache({
      feed,
      load: () => readApplicationSettings(prisma),
      maxEntries: 1,
      ttlMs: TTL_MS,
      onLookup: app.metrics.cacheLookups("application_settings"),
    });
    feed.on("application_settings", () => settings.clear());

    app.decorate("changeFeed", feed);
    app.decorate("cachesFresh", cachesFresh);
    app.decorate("featureSnapshot", async (request: FastifyRequest) =>
      features.get("all", await cachesFresh(request)),
    );
    app.decorate("applicationSettings", async (request: FastifyRequest) =>
      settings.get("all", await cachesFresh(request)),
    );
  },
  { name: "instance-state", dependencies: ["instance-services", "metrics"] },
);
