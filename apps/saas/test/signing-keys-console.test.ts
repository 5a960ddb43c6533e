import { generateKeyPairSync } from "node:crypto";
import { createTestDatabase, queryDatabase, TEST_KEY_BASE } from "@token-broker/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { saasConsole } from "./support/saas-console.ts";

const KID = /^[A-Za-z0-9_-]{43}$/;
const iso = (time: Date) => time.toISOString().replace(/\.\d{3}Z$/, "Z");

let env: Record<string, string>;
let url: string;
let drop: () => Promise<void>;
beforeEach(async () => {
  ({ url, drop } = await createTestDatabase());
  env = { DATABASE_URL: url, DB_KEY_BASE: TEST_KEY_BASE };
});
afterEach(() => drop());

async function keyRow(kid: string) {
  const [row] = await queryDatabase<{
    state: string;
    published_at: Date;
    deactivated_at: Date | null;
  }>(
    url,
    `SELECT state::text, published_at, deactivated_at FROM signing_keys WHERE kid = '${kid}'`,
  );
  if (row === undefined) throw new Error(`no key ${kid}`);
  return row;
}

/** Moves a key's times back, as if the operator had waited. */
async function age(kid: string, column: "published_at" | "deactivated_at", hours: number) {
  await queryDatabase(
    url,
    `UPDATE signing_keys SET ${column} = ${column} - interval '${hours} hours' WHERE kid = '${kid}'`,
  );
}

async function createKey(): Promise<string> {
  const created = await saasConsole(["signing-keys", "create"], env);
  expect([created.code, created.out]).toEqual([0, expect.stringMatching(KID)]);
  return created.out;
}

describe("signing-keys create, list and activate", () => {
  it("publish a new key without signing, and activate it once published long enough", async () => {
    expect((await saasConsole(["signing-keys", "list"], env)).out).toMatch(/no signing key yet/);
    const kid = await createKey();
    const listed = await saasConsole(["signing-keys", "list"], env);
    const { published_at: publishedAt } = await keyRow(kid);
    expect(listed.out.split("\n")).toEqual([
      expect.stringMatching(/^kid +created +state +published since$/),
      `${kid}  ${iso(publishedAt)}  published  ${iso(publishedAt)}`,
    ]);

    const refused = await saasConsole(["signing-keys", "activate", kid], env);
    const allowedAt = new Date(publishedAt.getTime() + 24 * 3600 * 1000);
    expect(refused).toEqual({
      code: 1,
      out: "",
      err:
        `signing-keys activate: ${kid} was published at ${iso(publishedAt)}; verifiers may not ` +
        `have it yet. It can be activated from ${iso(allowedAt)} (SIGNING_KEY_PUBLISH_LEAD: 24h), ` +
        "or now with --force",
    });
    expect((await keyRow(kid)).state).toBe("published");

    const shortLead = { ...env, SIGNING_KEY_PUBLISH_LEAD: "2h" };
    await age(kid, "published_at", 1);
    expect((await saasConsole(["signing-keys", "activate", kid], shortLead)).code).toBe(1);
    await age(kid, "published_at", 1);
    expect(await saasConsole(["signing-keys", "activate", kid], shortLead)).toEqual({
      code: 0,
      out: `${kid} now signs`,
      err: "",
    });
    expect((await saasConsole(["signing-keys", "list"], env)).out).toMatch(
      new RegExp(`^${kid} .* active `, "m"),
    );
  });

  it("activate --force skips the lead; the key that signed stays published", async () => {
    const first = await createKey();
    const second = await createKey();
    expect((await saasConsole(["signing-keys", "activate", first, "--force"], env)).code).toBe(0);
    expect((await saasConsole(["signing-keys", "activate", second, "--force"], env)).out).toBe(
      `${second} now signs`,
    );
    expect((await keyRow(first)).state).toBe("published");
    expect((await keyRow(first)).deactivated_at).toBeInstanceOf(Date);
    expect((await keyRow(second)).state).toBe("active");
    expect((await saasConsole(["signing-keys", "activate", second], env)).out).toBe(
      `${second} already signs`,
    );
    const unknown = await saasConsole(["signing-keys", "activate", "nope", "--force"], env);
    expect(unknown).toMatchObject({
      code: 1,
      err: "signing-keys activate: no signing key has the kid nope",
    });
  });
});

describe("signing-keys retire", () => {
  it("never retires the active key, and waits a token lifetime after a key stopped signing", async () => {
    const old = await createKey();
    const current = await createKey();
    const neverSigned = await createKey();
    await saasConsole(["signing-keys", "activate", old, "--force"], env);
    await saasConsole(["signing-keys", "activate", current, "--force"], env);

    for (const args of [[], ["--force"]]) {
      expect(await saasConsole(["signing-keys", "retire", current, ...args], env)).toEqual({
        code: 1,
        out: "",
        err: `signing-keys retire: ${current} is the active signing key; activate another key first (--force does not change this)`,
      });
    }

    const stoppedAt = (await keyRow(old)).deactivated_at as Date;
    expect(await saasConsole(["signing-keys", "retire", old], env)).toEqual({
      code: 1,
      out: "",
      err:
        `signing-keys retire: ${old} stopped signing at ${iso(stoppedAt)}; tokens it signed are ` +
        `valid until ${iso(new Date(stoppedAt.getTime() + 3600 * 1000))}. It can be retired from ` +
        "then, or now with --force (those tokens then fail verification)",
    });
    await age(old, "deactivated_at", 1);
    expect(await saasConsole(["signing-keys", "retire", old], env)).toEqual({
      code: 0,
      out: `${old} retired`,
      err: "",
    });
    expect((await saasConsole(["signing-keys", "retire", old], env)).out).toBe(
      `${old} was already retired`,
    );
    expect((await saasConsole(["signing-keys", "retire", neverSigned], env)).code).toBe(0);

    const listed = (await saasConsole(["signing-keys", "list"], env)).out;
    expect(listed).toContain(current);
    expect(listed).not.toContain(old);
    expect(listed).not.toContain(neverSigned);
    expect((await saasConsole(["signing-keys", "activate", old, "--force"], env)).err).toBe(
      `signing-keys activate: ${old} is retired; create a new key instead`,
    );
  });

  it("waits INSTANCE_TOKEN_TTL instead when instance tokens live longer than an hour", async () => {
    const longLived = { ...env, INSTANCE_TOKEN_TTL: "3h" };
    const old = await createKey();
    await saasConsole(["signing-keys", "activate", old, "--force"], longLived);
    await saasConsole(["signing-keys", "activate", await createKey(), "--force"], longLived);
    const stoppedAt = (await keyRow(old)).deactivated_at as Date;
    await age(old, "deactivated_at", 2);
    expect((await saasConsole(["signing-keys", "retire", old], longLived)).err).toBe(
      `signing-keys retire: ${old} stopped signing at ${iso(new Date(stoppedAt.getTime() - 2 * 3600 * 1000))}; ` +
        `tokens it signed are valid until ${iso(new Date(stoppedAt.getTime() + 3600 * 1000))}. ` +
        "It can be retired from then, or now with --force (those tokens then fail verification)",
    );
    await age(old, "deactivated_at", 1);
    expect((await saasConsole(["signing-keys", "retire", old], longLived)).code).toBe(0);
  });

  it("retire --force takes a key out before its tokens expire", async () => {
    const old = await createKey();
    await saasConsole(["signing-keys", "activate", old, "--force"], env);
    await saasConsole(["signing-keys", "activate", await createKey(), "--force"], env);
    expect(await saasConsole(["signing-keys", "retire", old, "--force"], env)).toMatchObject({
      code: 0,
      out: `${old} retired`,
    });
    expect((await keyRow(old)).state).toBe("retired");
  });
});

it("refuses every step while JWT_SIGNING_KEY decides the signing key", async () => {
  const kid = await createKey();
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const managed = {
    ...env,
    JWT_SIGNING_KEY: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
  for (const args of [["list"], ["create"], ["activate", kid, "--force"], ["retire", kid]]) {
    const name = `signing-keys ${args[0]}`;
    expect(await saasConsole(["signing-keys", ...args], managed)).toEqual({
      code: 1,
      out: "",
      err: `${name}: the signing key is managed by the environment (JWT_SIGNING_KEY is set); unset JWT_SIGNING_KEY to manage stored keys`,
    });
  }
  expect(await queryDatabase(url, "SELECT kid, state::text FROM signing_keys")).toEqual([
    { kid, state: "published" },
  ]);
});
