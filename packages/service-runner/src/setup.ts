/**
 * The flow set up through the GitLab REST API with a real client (`@gitbeaker/rest`), as an
 * administrator would script it: the one set-up used by `pnpm dev`, the benchmark, the
 * container smoke test and the tests. Idempotent, so a restart reuses what exists.
 */
import { GitbeakerRequestError, Gitlab } from "@gitbeaker/rest";

type GitlabApi = InstanceType<typeof Gitlab<false>>;

const SERVICE_ACCOUNT = "code-suggestions-bot";
const DEVELOPER = "developer";
/** The SaaS flag that lets a service account ask for tokens on behalf of an instance. */
const INSTANCE_ADMIN_FLAG = "code_suggestions_for_instance_admin_enabled";
/** GitLab's Developer role. */
const DEVELOPER_ACCESS = 30;

function gitlabApi(url: string, token: string): GitlabApi {
  return new Gitlab({ host: url, token });
}

export interface IssuedToken {
  readonly id: number;
  readonly token: string;
}

/** The user with this username, created (confirmed) when missing. */
async function ensureUser(api: GitlabApi, username: string, name: string) {
  const [existing] = await api.Users.all({ username });
  if (existing) return { id: existing.id, username };
  const created = await api.Users.create({
    username,
    name,
    email: `${username}@example.com`,
    skipConfirmation: true,
  });
  return { id: created.id, username };
}

/**
 * The service account with this username, created when missing: no password, and only an
 * administrator can add it to a group (docs/operations.md, Service accounts).
 */
async function ensureServiceAccount(api: GitlabApi, username: string, name: string) {
  const [existing] = await api.Users.all({ username });
  if (existing) return { id: existing.id, username };
  const created = await api.ServiceAccounts.create({ username, name });
  return { id: created.id, username };
}

/** `current` while it still authenticates, otherwise a new personal access token of the user. */
async function ensureToken(
  api: GitlabApi,
  url: string,
  userId: number,
  current: string | undefined,
  scopes: string[],
): Promise<IssuedToken> {
  if (current) {
    try {
      const { id } = await gitlabApi(url, current).PersonalAccessTokens.show();
      return { id, token: current };
    } catch (error) {
      // Revoked, rotated or from another database: issue a new one below.
      if (!(error instanceof GitbeakerRequestError) || error.cause?.response === undefined)
        throw error;
    }
  }
  const created = await api.Users.createPersonalAccessToken(userId, "demo", scopes);
  return { id: created.id, token: created.token };
}

/** Turns a feature flag on for one user (gitbeaker has no resource for instance features). */
async function enableFeatureForUser(api: GitlabApi, feature: string, username: string) {
  await api.requester.post(`features/${feature}`, { body: { value: true, user: username } });
}

function answered(error: unknown, status: number): boolean {
  return error instanceof GitbeakerRequestError && error.cause?.response.status === status;
}

/** A top-level group with the user as a Developer (its settings then decide the user's claims). */
async function ensureGroupMember(
  api: GitlabApi,
  group: { name: string; path: string },
  userId: number,
) {
  const { id } = await api.Groups.show(group.path).catch((error: unknown) => {
    if (answered(error, 404)) return api.Groups.create(group.name, group.path);
    throw error;
  });
  await api.GroupMembers.add(id, DEVELOPER_ACCESS, { userId }).catch((error: unknown) => {
    if (!answered(error, 409)) throw error;
  });
}

export interface FlowOptions {
  readonly saasUrl: string;
  readonly selfManagedUrl: string;
  readonly saasRootToken: string;
  readonly selfManagedRootToken: string;
  /** Tokens of an earlier set-up, reused while they still work. */
  readonly serviceToken?: string;
  readonly developerToken?: string;
  /** A group of SaaS for the service account, when its claims should come from one. */
  readonly serviceAccountGroup?: { name: string; path: string };
}

export interface FlowSetUp {
  /** The SaaS service account's ai_features token, stored on self-managed. */
  readonly serviceToken: IssuedToken;
  /** A developer of self-managed with an api token, ready to ask for a code-suggestions token. */
  readonly developerToken: IssuedToken;
}

/**
 * SaaS: the service account self-managed instances authenticate as, its token, the
 * instance-admin flag on for it. Self-managed: code suggestions on, that token stored as
 * `ai_access_token`, a developer with an api and read_user token.
 */
export async function setUpFlow(options: FlowOptions): Promise<FlowSetUp> {
  const saas = gitlabApi(options.saasUrl, options.saasRootToken);
  const bot = await ensureServiceAccount(saas, SERVICE_ACCOUNT, "Code Suggestions service account");
  const serviceToken = await ensureToken(saas, options.saasUrl, bot.id, options.serviceToken, [
    "ai_features",
  ]);
  await enableFeatureForUser(saas, INSTANCE_ADMIN_FLAG, bot.username);
  if (options.serviceAccountGroup)
    await ensureGroupMember(saas, options.serviceAccountGroup, bot.id);

  const selfManaged = gitlabApi(options.selfManagedUrl, options.selfManagedRootToken);
  await selfManaged.ApplicationSettings.edit({
    instanceLevelCodeSuggestionsEnabled: true,
    aiAccessToken: serviceToken.token,
  });
  const developer = await ensureUser(selfManaged, DEVELOPER, "Developer");
  const developerToken = await ensureToken(
    selfManaged,
    options.selfManagedUrl,
    developer.id,
    options.developerToken,
    // Editor extensions check for read_user as well as api.
    ["api", "read_user"],
  );
  return { serviceToken, developerToken };
}
