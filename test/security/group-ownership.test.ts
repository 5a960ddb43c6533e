import { describe, expect, it } from "vitest";
import { nonAdmin, unique, useAdminApi } from "../administration-api/admin-api.ts";
import { requestToken } from "../support/token-request.ts";

const api = useAdminApi();
const NEEDS_OWNER = { message: "403 Forbidden - A group must have at least one owner" };
const FORBIDDEN = { message: "403 Forbidden" };

type Member = Awaited<ReturnType<typeof nonAdmin>>;

/** A group created by `owner` (so its only owner), with members at the given levels. */
async function groupOf(owner: Member, levels: Record<string, [Member, number]> = {}) {
  const group = (
    await owner.call("POST", "/groups", { json: { name: "Team", path: unique("team") } })
  ).body as { id: number };
  for (const [member, level] of Object.values(levels)) {
    const added = await api.admin("POST", `/groups/${group.id}/members`, {
      json: { user_id: member.user.id, access_level: level },
    });
    expect(added.status).toBe(201);
  }
  return group;
}

async function levelOf(groupId: number, userId: number) {
  const { status, body } = await api.admin("GET", `/groups/${groupId}/members/${userId}`);
  return status === 200 ? body.access_level : status;
}

// A maintainer removed the only owner (204), then itself: a group no one owned, whose
// owner-only settings only an administrator could change.
describe("group ownership, as GitLab rules it", () => {
  it("a maintainer can neither remove nor demote an owner, nor promote anyone to owner", async () => {
    const [owner, maintainer, developer] = [await nonAdmin(), await nonAdmin(), await nonAdmin()];
    const group = await groupOf(owner, { m: [maintainer, 40], d: [developer, 30] });
    const members = `/groups/${group.id}/members`;
    expect(await maintainer.call("DELETE", `${members}/${owner.user.id}`)).toEqual({
      status: 403,
      body: FORBIDDEN,
    });
    expect(
      await maintainer.call("PUT", `${members}/${owner.user.id}`, { json: { access_level: 30 } }),
    ).toEqual({ status: 403, body: FORBIDDEN });
    expect(
      (
        await maintainer.call("PUT", `${members}/${developer.user.id}`, {
          json: { access_level: 50 },
        })
      ).status,
    ).toBe(403);
    const newcomer = await nonAdmin();
    expect(
      await maintainer.call("POST", members, {
        json: { user_id: newcomer.user.id, access_level: 50 },
      }),
    ).toEqual({ status: 403, body: FORBIDDEN });
    expect(await levelOf(group.id, owner.user.id)).toBe(50);
    expect(await levelOf(group.id, developer.user.id)).toBe(30);
    expect(await levelOf(group.id, newcomer.user.id)).toBe(404);
    // What a maintainer may do: manage members below owner.
    expect(
      (
        await maintainer.call("PUT", `${members}/${developer.user.id}`, {
          json: { access_level: 20 },
        })
      ).body.access_level,
    ).toBe(20);
    expect((await maintainer.call("DELETE", `${members}/${developer.user.id}`)).status).toBe(204);
  });

  it("the last owner can be neither removed nor demoted, by an owner or an administrator", async () => {
    const owner = await nonAdmin();
    const group = await groupOf(owner);
    const self = `/groups/${group.id}/members/${owner.user.id}`;
    for (const call of [owner.call, api.admin]) {
      expect(await call("DELETE", self)).toEqual({ status: 403, body: NEEDS_OWNER });
      expect(await call("PUT", self, { json: { access_level: 40 } })).toEqual({
        status: 403,
        body: NEEDS_OWNER,
      });
    }
    expect(await levelOf(group.id, owner.user.id)).toBe(50);
  });

  it("two owners leaving at once: one leaves, the other stays the last owner", async () => {
    const pairs = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const [first, second] = [await nonAdmin(), await nonAdmin()];
        const group = await groupOf(first, { s: [second, 50] });
        return { group, first, second };
      }),
    );
    const answers = await Promise.all(
      pairs.map(({ group, first, second }) =>
        Promise.all(
          [first, second].map(async (owner) => {
            const leave = `/groups/${group.id}/members/${owner.user.id}`;
            return (await owner.call("DELETE", leave)).status;
          }),
        ),
      ),
    );
    for (const statuses of answers) expect(statuses.sort()).toEqual([204, 403]);
  });

  it("an owner removes or demotes another owner; the one left is then the last", async () => {
    const [first, second] = [await nonAdmin(), await nonAdmin()];
    const group = await groupOf(first, { s: [second, 50] });
    const members = `/groups/${group.id}/members`;
    expect(
      (await first.call("PUT", `${members}/${second.user.id}`, { json: { access_level: 40 } })).body
        .access_level,
    ).toBe(40);
    expect((await second.call("DELETE", `${members}/${first.user.id}`)).status).toBe(403);
    expect(await first.call("DELETE", `${members}/${first.user.id}`)).toEqual({
      status: 403,
      body: NEEDS_OWNER,
    });
  });

  it("a subgroup's owners may leave it while the parent group has an owner", async () => {
    const [parentOwner, subOwner] = [await nonAdmin(), await nonAdmin()];
    const parent = await groupOf(parentOwner);
    const sub = (
      await parentOwner.call("POST", "/groups", {
        json: { name: "Sub", path: "sub", parent_id: parent.id },
      })
    ).body as { id: number };
    const members = `/groups/${sub.id}/members`;
    await parentOwner.call("POST", members, {
      json: { user_id: subOwner.user.id, access_level: 50 },
    });
    expect((await subOwner.call("DELETE", `${members}/${subOwner.user.id}`)).status).toBe(204);
    // The parent's owner still owns the subgroup through the parent.
    expect((await parentOwner.call("DELETE", `${members}/${parentOwner.user.id}`)).status).toBe(
      204,
    );
    expect(
      await parentOwner.call("DELETE", `/groups/${parent.id}/members/${parentOwner.user.id}`),
    ).toEqual({
      status: 403,
      body: NEEDS_OWNER,
    });
  });

  // Anyone may create a group with code suggestions off and add anyone: the victim's token
  // requests were refused, and the victim could not leave (403).
  it("a member added to a group with code suggestions off can leave it, and gets tokens again", async () => {
    const [attacker, victim] = [await nonAdmin(), await nonAdmin()];
    const group = await groupOf(attacker);
    await attacker.call("PUT", `/groups/${group.id}`, { json: { code_suggestions: false } });
    await attacker.call("POST", `/groups/${group.id}/members`, {
      json: { user_id: victim.user.id, access_level: 10 },
    });
    expect((await requestToken(api.saas.url, victim.token)).status).toBe(401);
    expect(await victim.call("DELETE", `/groups/${group.id}/members/${victim.user.id}`)).toEqual({
      status: 204,
      body: undefined,
    });
    expect((await requestToken(api.saas.url, victim.token)).status).toBe(201);
    // A member who is not a maintainer removes no one else.
    const guest = await nonAdmin();
    await attacker.call("POST", `/groups/${group.id}/members`, {
      json: { user_id: guest.user.id, access_level: 30 },
    });
    expect(
      (await guest.call("DELETE", `/groups/${group.id}/members/${attacker.user.id}`)).status,
    ).toBe(403);
  });
});
