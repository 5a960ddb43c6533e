"""The whole set-up of the Code Suggestions flow, then a token, through python-gitlab.

Usage: python_gitlab_flow.py <saas url> <self-managed url>, with the root tokens of both
instances in SAAS_ROOT_TOKEN and SELF_MANAGED_ROOT_TOKEN (not in argv: process lists show
it). Prints one JSON object with what the client saw; test/python-gitlab.test.ts checks it.
python-gitlab takes an answer for JSON only when its Content-Type is `application/json`
exactly, so every call here also checks that convention.
"""

import json
import os
import sys

import gitlab
from gitlab.const import AccessLevel


def set_up_saas(saas):
    """A service account with an ai_features token, allowed to proxy, in a group."""
    bot = saas.users.create(
        {
            "username": "python-bot",
            "email": "python-bot@example.com",
            "name": "Code Suggestions service account",
            "skip_confirmation": True,
        }
    )
    service_token = bot.personal_access_tokens.create(
        {"name": "self-managed instance", "scopes": ["ai_features"]}
    )
    feature = saas.features.set(
        "code_suggestions_for_instance_admin_enabled", True, user=bot.username
    )
    group = saas.groups.create({"name": "Python customers", "path": "python-customers"})
    member = group.members.create({"user_id": bot.id, "access_level": AccessLevel.DEVELOPER})
    return service_token.token, {
        "feature": {"name": feature.name, "state": feature.state},
        "member_access_level": member.access_level,
        **browse_saas(saas, group, bot),
    }


def browse_saas(saas, group, bot):
    """The list calls an administrator makes: features, groups, members, and one change."""
    features = saas.features.list()  # GET /features/ (trailing slash)
    groups = saas.groups.list(search="python", get_all=True)
    found = saas.groups.get(group.id)
    member = found.members.get(bot.id)
    member.access_level = AccessLevel.REPORTER
    member.save()  # PUT /groups/:id/members/:user_id
    return {
        "features": sorted(feature.name for feature in features),
        "groups": [g.full_path for g in groups],
        "members": sorted(
            (m.username, m.access_level) for m in found.members.list(get_all=True, per_page=1)
        ),
        "all_members": sorted(m.username for m in found.members_all.list(get_all=True)),
        "saved_access_level": found.members.get(bot.id).access_level,
    }


def set_up_self_managed(self_managed, service_token):
    """Code suggestions on, the service token stored, a developer with an editor's token."""
    settings = self_managed.settings.get()
    settings.instance_level_code_suggestions_enabled = True
    settings.ai_access_token = service_token
    settings.save()
    shown = self_managed.settings.get()
    developer = self_managed.users.create(
        {"username": "python-dev", "email": "python-dev@example.com", "name": "Developer"}
    )
    token = developer.personal_access_tokens.create(
        {"name": "editor", "scopes": ["api", "read_user"]}
    )
    return token, {
        "instance_level_code_suggestions_enabled": shown.instance_level_code_suggestions_enabled,
        "ai_access_token_set": shown.ai_access_token_set,
    }


def main(saas_url, self_managed_url):
    saas = gitlab.Gitlab(saas_url, private_token=os.environ["SAAS_ROOT_TOKEN"])
    self_managed = gitlab.Gitlab(
        self_managed_url, private_token=os.environ["SELF_MANAGED_ROOT_TOKEN"]
    )
    saas.auth()
    service_token, saas_state = set_up_saas(saas)
    developer_token, settings = set_up_self_managed(self_managed, service_token)

    editor = gitlab.Gitlab(self_managed_url, private_token=developer_token.token)
    editor.auth()
    code_suggestions = editor.http_post("/code_suggestions/tokens")

    # Revoked: the next request is refused, and python-gitlab reads GitLab's error body.
    self_managed.personal_access_tokens.delete(developer_token.id)
    try:
        editor.http_post("/code_suggestions/tokens")
        refused = None
    except gitlab.exceptions.GitlabAuthenticationError as error:
        refused = {"status": error.response_code, "message": error.error_message}

    print(
        json.dumps(
            {
                "saas_version": list(saas.version()),
                "self_managed_version": list(self_managed.version()),
                "editor_user": editor.user.username,
                "saas": saas_state,
                "settings": settings,
                "code_suggestions": code_suggestions,
                "refused_after_revoke": refused,
                # Every user, page by page (python-gitlab follows the Link headers).
                "saas_usernames": sorted(
                    user.username for user in saas.users.list(get_all=True, per_page=1)
                ),
            }
        )
    )


if __name__ == "__main__":
    main(*sys.argv[1:3])
