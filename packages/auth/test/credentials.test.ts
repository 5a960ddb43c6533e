import { expect, it } from "vitest";
import { extractCredential } from "../src/credentials.ts";

const TOKEN = "glpat-abcdefghij0123456789";
const OTHER = "glpat-zzzzzzzzzz0123456789";

it.each([
  {
    why: "bearer header",
    headers: { authorization: `Bearer ${TOKEN}` },
    query: {},
    expected: { token: TOKEN, source: "authorization" },
  },
  {
    why: "bearer in any case",
    headers: { authorization: `bearer   ${TOKEN}` },
    query: {},
    expected: { token: TOKEN, source: "authorization" },
  },
  {
    why: "PRIVATE-TOKEN header",
    headers: { "private-token": TOKEN },
    query: {},
    expected: { token: TOKEN, source: "private-token-header" },
  },
  {
    why: "private_token parameter",
    headers: {},
    query: { private_token: TOKEN },
    expected: { token: TOKEN, source: "private-token-param" },
  },
  {
    why: "parameter before headers (GitLab's order)",
    headers: { "private-token": OTHER, authorization: `Bearer ${OTHER}` },
    query: { private_token: TOKEN },
    expected: { token: TOKEN, source: "private-token-param" },
  },
  {
    why: "PRIVATE-TOKEN before Authorization",
    headers: { "private-token": TOKEN, authorization: `Bearer ${OTHER}` },
    query: {},
    expected: { token: TOKEN, source: "private-token-header" },
  },
  {
    why: "Basic is not a token",
    headers: { authorization: "Basic dXNlcjpwYXNz" },
    query: {},
    expected: undefined,
  },
  { why: "empty bearer", headers: { authorization: "Bearer " }, query: {}, expected: undefined },
  { why: "nothing", headers: {}, query: {}, expected: undefined },
  {
    why: "repeated parameter is not a token",
    headers: {},
    query: { private_token: [TOKEN, OTHER] },
    expected: undefined,
  },
])("$why", ({ headers, query, expected }) => {
  expect(extractCredential({ headers, query })).toEqual(expected);
});
