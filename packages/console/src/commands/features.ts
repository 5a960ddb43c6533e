import { deleteFeature, featureUsers, listFeatures, setFeature } from "@token-broker/admin";
import { type Command, text } from "../command.ts";

export const LIST_FEATURES: Command = {
  name: "features list",
  summary: "list the feature flags that were set (others answer their default)",
  async run({ prisma, io }) {
    // Only known flags can be set, a handful: one page holds them all.
    const { items: features } = await listFeatures(prisma, { page: 1, perPage: 100 });
    if (features.length === 0) io.out("no feature flag was set: every flag answers its default");
    for (const feature of features) {
      const actors = feature.gates.find((gate) => gate.key === "actors")?.value;
      io.out(
        `${feature.name}: ${feature.state}${Array.isArray(actors) ? ` (${actors.join(", ")})` : ""}`,
      );
    }
  },
};

export const FEATURE_COMMANDS: readonly Command[] = [
  LIST_FEATURES,
  ...(["enable", "disable"] as const).map(
    (action): Command => ({
      name: `features ${action}`,
      summary: `${action} a feature flag, globally or for users`,
      arguments: ["flag"],
      options: {
        user: {
          type: "string",
          description: "username, or several comma-separated: change the flag for them only",
        },
      },
      async run({ prisma, io }, [flag = ""], values) {
        const username = text(values, "user");
        const userIds = username === undefined ? undefined : await featureUsers(prisma, username);
        const feature = await setFeature(prisma, flag, { enabled: action === "enable", userIds });
        io.out(
          `${feature.name}: ${feature.state}${username ? ` (${action}d for ${username})` : ""}`,
        );
      },
    }),
  ),
  {
    name: "features delete",
    summary: "forget a feature flag: it answers its default again",
    arguments: ["flag"],
    async run({ prisma, io }, [flag = ""]) {
      await deleteFeature(prisma, flag);
      io.out(`${flag}: back to its default`);
    },
  },
];
