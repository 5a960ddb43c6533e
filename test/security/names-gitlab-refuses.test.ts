import { describe, expect, it } from "vitest";
import { newUser, unique, useAdminApi } from "../administration-api/admin-api.ts";

const api = useAdminApi();

function userFields(fields: Record<string, string> = {}) {
  const username = unique("u");
  return { username, email: `${username}@example.com`, name: "N", ...fields };
}

// ROOT beside root, ACME beside acme, DEV@example.com beside dev@example.com; usernames
// ".", "..", "foo."; a 10 KB email and a 60 KB name: all accepted, where GitLab refuses each.
describe("names GitLab refuses are refused", () => {
  it("usernames and emails are unique ignoring case, on creation and on change", async () => {
    const existing = await newUser();
    const upper = existing.username.toUpperCase();
    expect(await api.admin("POST", "/users", { json: userFields({ username: "ROOT" }) })).toEqual({
      status: 409,
      body: { message: "Username has already been taken" },
    });
    expect(
      await api.admin("POST", "/users", {
        json: userFields({ email: existing.email.toUpperCase() }),
      }),
    ).toEqual({ status: 409, body: { message: "Email has already been taken" } });
    const other = await newUser();
    expect(
      (await api.admin("PUT", `/users/${other.id}`, { json: { username: upper } })).status,
    ).toBe(409);
    // The same user may change the case of its own name.
    expect(
      (await api.admin("PUT", `/users/${existing.id}`, { json: { username: upper } })).body
        .username,
    ).toBe(upper);
    // And lookups ignore case too, as GitLab's.
    expect(
      (await api.admin("GET", `/users?username=${existing.username.toLowerCase()}`)).body,
    ).toEqual([expect.objectContaining({ id: existing.id })]);
  });

  // Compared with SQL's ILIKE, `_` and `%` in a name matched other names: a feature flag set
  // `for` one user could land on another.
  it("a name with _ or % equals only itself, ignoring case", async () => {
    const base = unique("w");
    const existing = await newUser({ username: `${base}xy` });
    expect((await api.admin("GET", `/users?username=${base}_y`)).body).toEqual([]);
    expect((await api.admin("GET", `/users?username=${base}%25`)).body).toEqual([]);
    expect(
      (
        await api.admin("POST", "/features/code_suggestions_for_instance_admin_enabled", {
          json: { value: true, user: `${base}%` },
        })
      ).status,
    ).toBe(404);
    expect(
      (await api.admin("POST", "/users", { json: userFields({ username: `${base}_y` }) })).status,
    ).toBe(201);
    expect((await api.admin("GET", `/users?username=${base}XY`)).body).toEqual([
      expect.objectContaining({ id: existing.id }),
    ]);
    await api.admin("POST", "/groups", { json: { name: "G", path: `${base}xg` } });
    expect((await api.admin("GET", `/groups/${base}_g`)).status).toBe(404);
    expect(
      (await api.admin("POST", "/groups", { json: { name: "G", path: `${base}_g` } })).status,
    ).toBe(201);
  });

  it("two creations at once that differ only in case: one is created, the other refused", async () => {
    const base = unique("race");
    const answers = await Promise.all(
      [base, base.toUpperCase()].map((username) =>
        api.admin("POST", "/users", { json: userFields({ username }) }),
      ),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409]);
  });

  it("group paths are unique ignoring case, and found ignoring case", async () => {
    const path = unique("acme");
    const group = (await api.admin("POST", "/groups", { json: { name: "A", path } })).body;
    expect(
      await api.admin("POST", "/groups", { json: { name: "B", path: path.toUpperCase() } }),
    ).toEqual({
      status: 409,
      body: { message: 'Failed to save group {:path=>["has already been taken"]}' },
    });
    expect((await api.admin("GET", `/groups/${path.toUpperCase()}`)).body.id).toBe(group.id);
  });

  it.each([
    ".",
    "..",
    "foo.",
    ".foo.",
    "-foo",
    "foo.git",
    "foo.atom",
    "foo.GIT",
    "a b",
    "é",
    "a/b",
  ])("%j is refused as a username and as a group path", async (name) => {
    expect(await api.admin("POST", "/users", { json: userFields({ username: name }) })).toEqual({
      status: 400,
      body: { message: "username is invalid" },
    });
    expect(await api.admin("POST", "/groups", { json: { name: "G", path: name } })).toEqual({
      status: 400,
      body: { message: "path is invalid" },
    });
  });

  it("usernames GitLab accepts are accepted", async () => {
    for (const username of [
      `_${unique("a")}`,
      `.${unique("b")}`,
      `${unique("c")}-`,
      `${unique("d")}.e_f`,
    ]) {
      expect((await api.admin("POST", "/users", { json: userFields({ username }) })).status).toBe(
        201,
      );
    }
  });

  it("names, usernames, emails and group paths longer than 255 characters are refused", async () => {
    const long = (length: number) => "a".repeat(length);
    for (const [fields, field] of [
      [{ name: long(60 * 1024) }, "name"],
      [{ name: long(256) }, "name"],
      [{ email: `${long(10 * 1024)}@example.com` }, "email"],
      [{ username: long(256) }, "username"],
    ] as const) {
      expect(await api.admin("POST", "/users", { json: userFields(fields) })).toEqual({
        status: 400,
        body: { message: `${field} is too long (maximum is 255 characters)` },
      });
    }
    const user = await newUser();
    expect(
      (await api.admin("PUT", `/users/${user.id}`, { json: { name: long(256) } })).status,
    ).toBe(400);
    expect(
      (await api.admin("POST", "/groups", { json: { name: long(256), path: unique("p") } })).status,
    ).toBe(400);
    expect(
      (await api.admin("POST", "/groups", { json: { name: "G", path: long(256) } })).status,
    ).toBe(400);
    expect(
      (await api.admin("POST", "/users", { json: userFields({ name: long(255) }) })).status,
    ).toBe(201);
  });
});
