import { isActive, type TokenRecord } from "@token-broker/admin";
import { Type } from "typebox";

export const PersonalAccessTokenEntity = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  revoked: Type.Boolean(),
  created_at: Type.String({ format: "date-time" }),
  scopes: Type.Array(Type.String()),
  user_id: Type.Integer(),
  last_used_at: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  active: Type.Boolean(),
  expires_at: Type.Union([Type.String({ format: "date" }), Type.Null()]),
});

export const NewPersonalAccessTokenEntity = Type.Intersect([
  PersonalAccessTokenEntity,
  Type.Object({ token: Type.String({ description: "shown once, never again" }) }),
]);

export function presentToken(token: TokenRecord) {
  return {
    id: token.id,
    name: token.name,
    revoked: token.revokedAt !== null,
    created_at: token.createdAt.toISOString(),
    scopes: token.scopes,
    user_id: token.userId,
    last_used_at: token.lastUsedAt?.toISOString() ?? null,
    active: isActive(token),
    expires_at: token.expiresAt?.toISOString().slice(0, 10) ?? null,
  };
}
