"""The editor settings read and saved through python-gitlab's `gl.settings`.

Usage: python_gitlab_settings.py <instance url> <gateway url>, with the root token in
ROOT_TOKEN. Prints one JSON object with what the client saw; settings.test.ts checks it.
"""

import json
import os
import sys

import gitlab


def main(url, gateway_url):
    gl = gitlab.Gitlab(url, private_token=os.environ["ROOT_TOKEN"])
    before = gl.settings.get()
    seen = {
        "before": {
            "ai_gateway_url": before.ai_gateway_url,
            "disabled_direct_code_suggestions": before.disabled_direct_code_suggestions,
        }
    }
    before.ai_gateway_url = gateway_url
    before.disabled_direct_code_suggestions = True
    before.save()
    after = gl.settings.get()
    seen["after"] = {
        "ai_gateway_url": after.ai_gateway_url,
        "disabled_direct_code_suggestions": after.disabled_direct_code_suggestions,
    }
    try:
        after.ai_gateway_url = "ftp://gateway.example.com"
        after.save()
        seen["refused"] = None
    except gitlab.exceptions.GitlabUpdateError as error:
        seen["refused"] = {"status": error.response_code, "message": error.error_message}
    print(json.dumps(seen))


if __name__ == "__main__":
    main(*sys.argv[1:3])
