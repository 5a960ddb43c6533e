import { describe, expect, it } from "vitest";
import { classifyDatabaseError } from "../src/database-errors.ts";
import { isRetryableTermination } from "../src/retrying-pool.ts";

const adapterError = (cause: Record<string, unknown>, code = "P2039") => ({
  code,
  meta: { driverAdapterError: { name: "DriverAdapterError", cause } },
});

describe("classifyDatabaseError", () => {
  it.each([
    ["Prisma cannot reach the server", { code: "P1001" }, "unavailable"],
    ["a terminated connection", adapterError({ originalCode: "57P01" }), "unavailable"],
    ["refused connections", { code: "ECONNREFUSED" }, "unavailable"],
    ["a closed connection", adapterError({ kind: "ConnectionClosed" }), "unavailable"],
    ["pg's lost connection", new Error("Connection terminated unexpectedly"), "unavailable"],
    [
      "a pool checkout timeout",
      new Error("timeout exceeded when trying to connect"),
      "unavailable",
    ],
    ["in a cause chain", new Error("wrapped", { cause: { code: "08006" } }), "unavailable"],
    ["an id beyond 32 bits", adapterError({ kind: "ValueOutOfRange" }, "P2020"), "out_of_range"],
    ["NUL in text", adapterError({ originalCode: "22021" }), "invalid_text"],
    ["a unique constraint", { code: "P2002" }, "conflict"],
    ["a missing record", { code: "P2025" }, "not_found"],
  ])("%s", (_why, error, failure) => {
    expect(classifyDatabaseError(error)).toBe(failure);
  });

  it.each([
    ["a programming error", new TypeError("x is undefined")],
    ["a syntax error", adapterError({ originalCode: "42601" })],
    ["not an error", "oops"],
  ])("leaves %s alone (a 500)", (_why, error) => {
    expect(classifyDatabaseError(error)).toBeUndefined();
  });

  it("stops on a cyclic cause chain", () => {
    const error: { cause?: unknown } = {};
    error.cause = error;
    expect(classifyDatabaseError(error)).toBeUndefined();
  });
});

describe("isRetryableTermination", () => {
  const terminated = Object.assign(new Error("terminating connection"), { code: "57P01" });
  const vanished = new Error("Connection terminated unexpectedly");
  it.each([
    ["a statement the server terminated", terminated, { text: 'UPDATE "t" SET x = 1' }, true],
    ["a read whose connection vanished", vanished, { text: 'SELECT "id" FROM "t"' }, true],
    [
      "a write whose connection vanished: it may have committed",
      vanished,
      { text: "INSERT INTO t" },
      false,
    ],
    [
      "a constraint violation",
      Object.assign(new Error("dup"), { code: "23505" }),
      "SELECT 1",
      false,
    ],
  ])("%s", (_why, error, config, retryable) => {
    expect(isRetryableTermination(error, config)).toBe(retryable);
  });
});
