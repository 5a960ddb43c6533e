import { afterAll, expect, it } from "vitest";
import { newUser, ROOT_TOKEN, useAdminApi } from "../administration-api/admin-api.ts";
import { apiClient } from "../support/api-client.ts";
import { startSaas } from "../support/services.ts";

const api = useAdminApi();
const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const close of closers) await close();
});

// Root blocked itself (201), and restarting with INITIAL_ROOT_TOKEN did not undo it,
// although the bootstrap is declarative: the instance had no administrator left.
it("an administrator can neither block nor demote itself through the API", async () => {
  const self = (await api.admin("GET", "/user")).body;
  expect(await api.admin("POST", `/users/${self.id}/block`)).toEqual({
    status: 400,
    body: { message: "you cannot block yourself" },
  });
  expect(await api.admin("PUT", `/users/${self.id}`, { json: { admin: false } })).toEqual({
    status: 400,
    body: { message: "you cannot remove your own administrator access" },
  });
  expect((await api.admin("GET", "/user")).body).toMatchObject({ state: "active", is_admin: true });

  // Another administrator may still be blocked or demoted by this one.
  const other = await newUser({ admin: true });
  expect((await api.admin("POST", `/users/${other.id}/block`)).status).toBe(201);
  expect(
    (await api.admin("PUT", `/users/${other.id}`, { json: { admin: false } })).body.is_admin,
  ).toBe(false);
});

it("starting with INITIAL_ROOT_TOKEN makes root an active administrator again", async () => {
  await api.saas.database.prisma.user.update({
    where: { username: "root" },
    data: { state: "blocked", admin: false },
  });
  expect((await api.admin("GET", "/user")).status).toBe(403);
  // A restart: a new process on the same database, with the same variable.
  const restarted = await startSaas({
    replicaOf: api.saas,
    env: { INITIAL_ROOT_TOKEN: ROOT_TOKEN },
  });
  closers.push(() => restarted.close());
  expect((await apiClient(restarted.url, ROOT_TOKEN)("GET", "/user")).body).toMatchObject({
    username: "root",
    state: "active",
    is_admin: true,
  });
});
