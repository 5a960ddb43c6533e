import { fastifyRequestContext } from "@fastify/request-context";
import {
  type ApplicationSettings,
  loadFeatureSnapshot,
  readApplicationSettings,
} from "@token-broker/admin";
import type { FeatureGateSnapshot } from "@token-broker/policy";
import fp from "fastify-plugin";
import { type ChangeFeed, startChangeFeed } from "../cache/change-feed.ts";
import { createLoadingCache } from "../cache/loading-cache.ts";

declare module "fastify" {
  interface FastifyInstance {
    changeFeed: ChangeFeed;
    /** The feature flags as they stand for the current request. */
    featureSnapshot(): Promise<FeatureGateSnapshot>;
    /** The application settings as they stand for the current request. */
    applicationSettings(): Promise<ApplicationSettings>;
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
    // The request's context is where the feed keeps its answer on freshness (see
    // ChangeFeed.fresh): no cache read takes the request or that answer as a parameter.
    await app.register(fastifyRequestContext);
    const feed = await startChangeFeed(app.database, app.log);
    app.addHook("onClose", () => feed.close());

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
    app.decorate("featureSnapshot", () => features.get("all"));
    app.decorate("applicationSettings", () => settings.get("all"));
  },
  { name: "instance-state", dependencies: ["instance-services", "metrics"] },
);
