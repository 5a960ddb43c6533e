import type { Command } from "../command.ts";
import { LIST_FEATURES } from "./features.ts";
import { SHOW_SETTINGS } from "./settings.ts";

export const STATUS: Command = {
  name: "status",
  summary: "show the instance's state: settings, feature flags, users, groups, tokens",
  async run(context) {
    const { prisma, io } = context;
    const [users, admins, blocked, groups, tokens] = await Promise.all([
      prisma.user.count(),
      prisma.user.count({ where: { admin: true } }),
      prisma.user.count({ where: { state: "blocked" } }),
      prisma.group.count(),
      prisma.personalAccessToken.count({ where: { revokedAt: null } }),
    ]);
    await SHOW_SETTINGS.run(context, [], {});
    await LIST_FEATURES.run(context, [], {});
    io.out(`users: ${users} (${admins} administrators, ${blocked} blocked)`);
    io.out(`groups: ${groups}`);
    io.out(`personal access tokens not revoked: ${tokens}`);
  },
};
