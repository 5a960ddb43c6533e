import type { UserRecord } from "@token-broker/admin";
import type { AuthenticatedUser } from "@token-broker/auth";
import { Type } from "typebox";

/** GitLab's user JSON (the fields this project models). */
export const UserEntity = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  name: Type.String(),
  state: Type.Union([Type.Literal("active"), Type.Literal("blocked")]),
  email: Type.Optional(Type.String({ description: "to administrators and the user only" })),
  is_admin: Type.Optional(Type.Boolean({ description: "to administrators and the user only" })),
  created_at: Type.String({ format: "date-time" }),
});

export function presentUser(user: UserRecord, viewer: AuthenticatedUser) {
  const privileged = viewer.admin || viewer.id === user.id;
  return {
    id: user.id,
    username: user.username,
    name: user.name,
    state: user.state,
    ...(privileged ? { email: user.email, is_admin: user.admin } : {}),
    created_at: user.createdAt.toISOString(),
  };
}
