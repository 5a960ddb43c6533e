/**
 * Container smoke test: verifies a code-suggestions JWT as the AI gateway would, with the
 * keys that SaaS's discovery document points at, and prints its header and claims.
 *
 *   tsx verify-token.ts <SaaS EXTERNAL_URL> <token>
 */
import { createRemoteJWKSet, jwtVerify } from "jose";

const [saasUrl, token] = process.argv.slice(2);
if (!saasUrl || !token) {
  process.stderr.write("usage: verify-token.ts <SaaS EXTERNAL_URL> <token>\n");
  process.exit(2);
}

const response = await fetch(`${saasUrl}/.well-known/openid-configuration`);
if (!response.ok) throw new Error(`discovery answered ${response.status}`);
const discovery = (await response.json()) as { issuer: string; jwks_uri: string };

const { payload, protectedHeader } = await jwtVerify(
  token,
  createRemoteJWKSet(new URL(discovery.jwks_uri)),
  { issuer: saasUrl, audience: "gitlab-code-suggestions", algorithms: ["RS256"] },
);
if (payload.gitlab_realm !== "self-managed") {
  throw new Error(`gitlab_realm is ${JSON.stringify(payload.gitlab_realm)}, not "self-managed"`);
}
if (!protectedHeader.kid) throw new Error("the token's header has no kid");

process.stdout.write(
  `verified with ${discovery.jwks_uri}: kid ${protectedHeader.kid}, iss ${payload.iss}, ` +
    `aud ${payload.aud}, gitlab_realm ${payload.gitlab_realm}, ` +
    `expires in ${(payload.exp ?? 0) - Math.floor(Date.now() / 1000)} s\n`,
);
