/**
 * Container smoke test: the whole flow against two running instances. Sets it up through
 * the administration API as an administrator would (the one set-up of `pnpm dev` and the
 * benchmark), asks self-managed for a code-suggestions token, and verifies it as the AI
 * gateway would, with the keys that SaaS's discovery document points at. Progress goes to
 * stderr; the developer's token (for later requests) is the only line on stdout.
 *
 *   SAAS_ROOT_TOKEN=… SELF_MANAGED_ROOT_TOKEN=… tsx flow.ts <SaaS URL> <self-managed URL> <SaaS EXTERNAL_URL>
 */
import { setUpFlow } from "@token-broker/service-runner/setup";
import { createRemoteJWKSet, jwtVerify } from "jose";

const [saasUrl, selfManagedUrl, issuer] = process.argv.slice(2);
const { SAAS_ROOT_TOKEN: saasRootToken, SELF_MANAGED_ROOT_TOKEN: selfManagedRootToken } =
  process.env;
if (!saasUrl || !selfManagedUrl || !issuer || !saasRootToken || !selfManagedRootToken) {
  process.stderr.write(
    "usage: SAAS_ROOT_TOKEN=… SELF_MANAGED_ROOT_TOKEN=… flow.ts <SaaS URL> <self-managed URL> <SaaS EXTERNAL_URL>\n",
  );
  process.exit(2);
}
const say = (line: string) => process.stderr.write(`${line}\n`);

const { developerToken } = await setUpFlow({
  saasUrl,
  selfManagedUrl,
  saasRootToken,
  selfManagedRootToken,
});
say("SaaS: service account, its ai_features token, instance-admin flag on for it");
say("self-managed: code suggestions on, service token stored, developer with an api token");

// The request under test goes out raw: its exact status is what the smoke test checks.
const response = await fetch(`${selfManagedUrl}/api/v4/code_suggestions/tokens`, {
  method: "POST",
  headers: { authorization: `Bearer ${developerToken.token}` },
});
const body = await response.text();
if (response.status !== 201) {
  throw new Error(
    `POST ${selfManagedUrl}/api/v4/code_suggestions/tokens answered ${response.status}: ${body}`,
  );
}
say("self-managed: POST /api/v4/code_suggestions/tokens → 201");

const discovery = (await (await fetch(`${saasUrl}/.well-known/openid-configuration`)).json()) as {
  jwks_uri: string;
};
const { payload, protectedHeader } = await jwtVerify(
  (JSON.parse(body) as { access_token: string }).access_token,
  createRemoteJWKSet(new URL(discovery.jwks_uri)),
  { issuer, audience: "gitlab-code-suggestions", algorithms: ["RS256"] },
);
if (payload.gitlab_realm !== "self-managed") {
  throw new Error(`gitlab_realm is ${JSON.stringify(payload.gitlab_realm)}, not "self-managed"`);
}
if (!protectedHeader.kid) throw new Error("the token's header has no kid");
say(
  `verified with ${discovery.jwks_uri}: kid ${protectedHeader.kid}, iss ${payload.iss}, ` +
    `aud ${payload.aud}, gitlab_realm ${payload.gitlab_realm}, ` +
    `expires in ${(payload.exp ?? 0) - Math.floor(Date.now() / 1000)} s`,
);
process.stdout.write(`${developerToken.token}\n`);
