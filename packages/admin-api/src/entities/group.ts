import type { GroupRecord } from "@token-broker/admin";
import { Type } from "typebox";

export const GroupEntity = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  path: Type.String(),
  full_path: Type.String(),
  parent_id: Type.Union([Type.Integer(), Type.Null()]),
  code_suggestions: Type.Boolean(),
  third_party_ai_features_enabled: Type.Boolean(),
  created_at: Type.String({ format: "date-time" }),
});

export function presentGroup(group: GroupRecord) {
  return {
    id: group.id,
    name: group.name,
    path: group.path,
    full_path: group.fullPath,
    parent_id: group.parentId,
    code_suggestions: group.codeSuggestions,
    third_party_ai_features_enabled: group.thirdPartyAiFeaturesEnabled,
    created_at: group.createdAt.toISOString(),
  };
}

export const MemberEntity = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  name: Type.String(),
  state: Type.String(),
  access_level: Type.Integer(),
  created_at: Type.String({ format: "date-time" }),
});

export function presentMember(member: {
  accessLevel: number;
  createdAt: Date;
  user: { id: number; username: string; name: string; state: string };
}) {
  const { id, username, name, state } = member.user;
  return {
    id,
    username,
    name,
    state,
    access_level: member.accessLevel,
    created_at: member.createdAt.toISOString(),
  };
}
