/**
 * Container smoke test: the whole flow against two running instances. Sets it up through
 * the administration API as an administrator would (the one set-up of `pnpm dev` and the
 * benchmark), asks self-managed for a code-suggestions token, and verifies it as the AI
 * gateway would, with the keys that SaaS's discovery document points at. With AI_GATEWAY_URL,
 * then hands that token to the AI gateway as an editor of GitLab 16.1–16.2 did
 * (`/v2/completions`): with GATEWAY_MODEL=answers one completion must come back (a model
 * server answers), with GATEWAY_MODEL=unset a 503 naming MODEL_ENDPOINT (the token passed);
 * then the same through self-managed's `/api/v4/code_suggestions/completions`, as today's
 * language server asks (self-managed's instance token from SaaS, to the gateway).
 * Progress goes to stderr; the developer's token (for later requests) is the only line on
 * stdout.
 *
 *   SAAS_ROOT_TOKEN=… SELF_MANAGED_ROOT_TOKEN=… [AI_GATEWAY_URL=… GATEWAY_MODEL=answers|unset] \
 *     tsx flow.ts <SaaS URL> <self-managed URL> <SaaS EXTERNAL_URL>
 */
import { setUpFlow } from "@token-broker/service-runner/setup";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { checkCompletionThroughInstance, checkGateway } from "./gateway-flow.ts";

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
  issuer: string;
  jwks_uri: string;
};
if (discovery.issuer !== issuer) {
  throw new Error(`the discovery document names issuer ${discovery.issuer}, not ${issuer}`);
}
// The keys at jwks_uri's path, through the URL this script reaches SaaS by: in a compose
// network the issuer's host is SaaS's service name, which resolves only inside that network.
const keys = new URL(new URL(discovery.jwks_uri).pathname, saasUrl);
const accessToken = (JSON.parse(body) as { access_token: string }).access_token;
const { payload, protectedHeader } = await jwtVerify(accessToken, createRemoteJWKSet(keys), {
  issuer,
  audience: "gitlab-code-suggestions",
  algorithms: ["RS256"],
});
if (payload.gitlab_realm !== "self-managed") {
  throw new Error(`gitlab_realm is ${JSON.stringify(payload.gitlab_realm)}, not "self-managed"`);
}
if (!protectedHeader.kid) throw new Error("the token's header has no kid");
say(
  `verified with ${keys} (jwks_uri ${discovery.jwks_uri}): kid ${protectedHeader.kid}, iss ${payload.iss}, ` +
    `aud ${payload.aud}, gitlab_realm ${payload.gitlab_realm}, ` +
    `expires in ${(payload.exp ?? 0) - Math.floor(Date.now() / 1000)} s`,
);
const { AI_GATEWAY_URL: gatewayUrl, GATEWAY_MODEL: model } = process.env;
if (gatewayUrl !== undefined) {
  if (model !== "answers" && model !== "unset") throw new Error("GATEWAY_MODEL: answers or unset");
  for (const line of await checkGateway(gatewayUrl, accessToken, model)) say(line);
  say(await checkCompletionThroughInstance(selfManagedUrl, developerToken.token, model));
}
process.stdout.write(`${developerToken.token}\n`);
