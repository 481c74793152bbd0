"""`recbot manifest`: Socket Mode and HTTP manifests derived from the code, valid against
Slack's published schema, whole (no half-edited HTTP mode), and the one in the repo and the
wheel is exactly its output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from bot.slack.api_calls import web_api_methods_called
from bot.slack.catalog import FUNCTION_EXECUTED, SHORTCUTS, WORKFLOW_STEPS
from bot.slack.commands import COMMAND
from bot.slack.manifest import (
    ManifestError,
    ManifestOptions,
    build_manifest,
    manifest_problems,
    manifest_yaml,
    request_url,
)
from bot.slack.scopes import DIGEST_ONLY_SCOPES, SUBSCRIBED_EVENTS, required_scopes

REPO = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((REPO / "tests/slack/schema/manifest.schema.1.0.0.json").read_text())
HTTP = "https://bot.example.com"
OPTIONS = [
    ManifestOptions(),
    ManifestOptions(http_base=HTTP),
    ManifestOptions(http_base=HTTP + "/recbot/", name="Recordings bot", functions=False),
    ManifestOptions(functions=False, digests=False),
]


def recbot(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


@pytest.mark.parametrize("options", OPTIONS, ids=["socket", "http", "http-named", "bare"])
def test_every_generated_manifest_is_valid_against_slacks_schema(options: ManifestOptions) -> None:
    manifest = build_manifest(options, web_api_methods_called())
    jsonschema.validate(manifest, SCHEMA)
    assert manifest_problems(manifest) == []


def test_the_schema_check_is_real_a_broken_manifest_fails_it() -> None:
    manifest = build_manifest(ManifestOptions(), web_api_methods_called())
    manifest["features"]["shortcuts"][0]["name"] = "x" * 25  # Slack allows 24
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(manifest, SCHEMA)


def test_http_manifest_fills_in_every_request_url_and_turns_socket_mode_off() -> None:
    manifest = build_manifest(ManifestOptions(http_base=HTTP), web_api_methods_called())
    url = f"{HTTP}/slack/events"
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is False
    assert settings["event_subscriptions"]["request_url"] == url
    assert settings["interactivity"]["request_url"] == url
    assert settings["interactivity"]["message_menu_options_url"] == url  # pickers' options
    assert [c["url"] for c in manifest["features"]["slash_commands"]] == [url]


def test_a_half_edited_http_manifest_is_named_as_broken() -> None:
    manifest = build_manifest(ManifestOptions(), web_api_methods_called())
    manifest["settings"]["socket_mode_enabled"] = False  # the edit people make by hand
    jsonschema.validate(manifest, SCHEMA)  # Slack's schema lets it through ...
    problems = manifest_problems(manifest)  # ... ours does not
    assert "HTTP mode: event_subscriptions has no request_url" in problems
    assert f"HTTP mode: slash command {COMMAND} has no url" in problems
    assert "HTTP mode: interactivity has no message_menu_options_url" in problems


def test_manifest_declares_every_listener_surface_of_the_code() -> None:
    manifest = build_manifest(ManifestOptions(), web_api_methods_called())
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert events == {*SUBSCRIBED_EVENTS, FUNCTION_EXECUTED}
    assert {s["callback_id"] for s in manifest["features"]["shortcuts"]} == {
        s.callback_id for s in SHORTCUTS
    }
    assert set(manifest["functions"]) == {step.callback_id for step in WORKFLOW_STEPS}
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == required_scopes(
        web_api_methods_called()
    )


def test_no_functions_leaves_out_the_step_its_event_and_org_readiness() -> None:
    manifest = build_manifest(ManifestOptions(functions=False), web_api_methods_called())
    assert "functions" not in manifest
    assert FUNCTION_EXECUTED not in manifest["settings"]["event_subscriptions"]["bot_events"]
    assert manifest["settings"]["org_deploy_enabled"] is False
    assert "function_runtime" not in manifest["settings"]


def test_history_scopes_are_asked_for_only_with_digests() -> None:
    methods = web_api_methods_called()
    with_digests = set(build_manifest(ManifestOptions(), methods)["oauth_config"]["scopes"]["bot"])
    without = set(
        build_manifest(ManifestOptions(digests=False), methods)["oauth_config"]["scopes"]["bot"]
    )
    assert with_digests >= DIGEST_ONLY_SCOPES
    assert not DIGEST_ONLY_SCOPES & without
    assert with_digests - without == DIGEST_ONLY_SCOPES


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://bot.example.com", "https://bot.example.com/slack/events"),
        ("https://bot.example.com/", "https://bot.example.com/slack/events"),
        ("https://bot.example.com:8443/rb", "https://bot.example.com:8443/rb/slack/events"),
        ("https://bot.example.com/slack/events", "https://bot.example.com/slack/events"),
    ],
)
def test_request_url_is_the_base_plus_slack_events(given: str, expected: str) -> None:
    assert request_url(given) == expected


@pytest.mark.parametrize(
    "bad", ["http://bot.example.com", "bot.example.com", "https://", "ftp://x"]
)
def test_request_url_refuses_what_slack_cannot_call(bad: str) -> None:
    with pytest.raises(ManifestError, match="https"):
        request_url(bad)


def test_manifest_yml_in_the_repo_and_in_the_package_is_the_commands_output() -> None:
    generated = manifest_yaml(build_manifest(ManifestOptions(), web_api_methods_called()))
    hint = "regenerate: recbot manifest > manifest.yml && cp manifest.yml bot/slack/manifest.yml"
    assert (REPO / "manifest.yml").read_text(encoding="utf-8") == generated, hint
    assert (REPO / "bot/slack/manifest.yml").read_text(encoding="utf-8") == generated, hint


def test_recbot_manifest_http_json_prints_a_valid_http_manifest() -> None:
    result = recbot("manifest", "--http", HTTP, "--name", "rec", "--json", "--no-functions")
    assert result.returncode == 0, result.stderr
    manifest: dict[str, Any] = json.loads(result.stdout)
    jsonschema.validate(manifest, SCHEMA)
    assert manifest["display_information"]["name"] == "rec"
    assert manifest["features"]["bot_user"]["display_name"] == "rec"
    assert manifest["settings"]["socket_mode_enabled"] is False
    assert "functions" not in manifest


def test_recbot_manifest_yaml_output_parses_to_the_same_manifest() -> None:
    result = recbot("manifest")
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load(result.stdout) == build_manifest(
        ManifestOptions(), web_api_methods_called()
    )


def test_recbot_manifest_with_a_bad_url_is_one_line_and_exit_2() -> None:
    result = recbot("manifest", "--http", "http://insecure.example.com")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "https" in result.stderr
