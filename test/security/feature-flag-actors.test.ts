import { describe, expect, it } from "vitest";
import { newUser, useAdminApi } from "../administration-api/admin-api.ts";

const api = useAdminApi();
const FLAG = "code_suggestions_for_instance_admin_enabled";

/** The flag's gates as GET /features lists them (absent: never set, so its default). */
async function storedGates() {
  const { body } = await api.admin("GET", "/features");
  return (body as { name: string; gates: unknown }[]).find((feature) => feature.name === FLAG)
    ?.gates;
}

// An actor the service ignored turned the flag on for everyone: an administrator using
// GitLab's parameters for a narrow rollout opened the instance-admin path to every user.
describe("feature-flag actors: honoured or refused naming them, never ignored", () => {
  it.each([
    ["group", "zzz"],
    ["namespace", "zzz"],
    ["project", "zzz/yyy"],
    ["repository", "zzz/yyy"],
    ["feature_group", "gitlab_team_members"],
    ["key", "percentage_of_actors"],
  ])("%s is refused with 400 naming it, and the flag stays as it was", async (name, value) => {
    await api.admin("DELETE", `/features/${FLAG}`);
    for (const send of [
      { form: { value: "true", [name]: value } },
      { json: { value: true, [name]: value } },
    ]) {
      const answer = await api.admin("POST", `/features/${FLAG}`, send);
      expect(answer.status).toBe(400);
      expect(answer.body.message).toMatch(new RegExp(`^${name} is not supported`));
    }
    expect(await storedGates()).toBeUndefined();
  });

  it("user names one user: the flag is on for that user only", async () => {
    await api.admin("DELETE", `/features/${FLAG}`);
    const user = await newUser();
    const answer = await api.admin("POST", `/features/${FLAG}`, {
      form: { value: "true", user: user.username },
    });
    expect(answer.body.gates).toEqual([
      { key: "boolean", value: false },
      { key: "actors", value: [`User:${user.id}`] },
    ]);
    await api.admin("DELETE", `/features/${FLAG}`);
  });

  it.each(["user", "users"])(
    "%s with comma-separated usernames sets the flag for each of them, and only them",
    async (parameter) => {
      await api.admin("DELETE", `/features/${FLAG}`);
      const [first, second] = [await newUser(), await newUser()];
      const answer = await api.admin("POST", `/features/${FLAG}`, {
        form: { value: "true", [parameter]: `${first.username}, ${second.username}` },
      });
      expect(answer.status).toBe(201);
      expect(answer.body.state).toBe("conditional");
      expect(answer.body.gates[1].value.sort()).toEqual(
        [`User:${first.id}`, `User:${second.id}`].sort(),
      );
      await api.admin("POST", `/features/${FLAG}`, {
        form: { value: "false", [parameter]: first.username },
      });
      expect(await storedGates()).toEqual([
        { key: "boolean", value: false },
        { key: "actors", value: [`User:${second.id}`] },
      ]);
      await api.admin("DELETE", `/features/${FLAG}`);
    },
  );

  it("a user list naming no one, or an unknown user, changes nothing", async () => {
    await api.admin("DELETE", `/features/${FLAG}`);
    const known = await newUser();
    expect(
      (await api.admin("POST", `/features/${FLAG}`, { form: { value: "true", user: " , " } }))
        .status,
    ).toBe(400);
    expect(
      (
        await api.admin("POST", `/features/${FLAG}`, {
          form: { value: "true", user: `${known.username},no-such-user` },
        })
      ).status,
    ).toBe(404);
    expect(await storedGates()).toBeUndefined();
  });
});
