"""The OpenAPI schema (/api/schema/) tells the truth about the API: the answers the test world gives
match their documented status codes and bodies, lists are documented as pages, every error has the
shared error body, and the schema generates without warnings."""

import re
from typing import Any

import jsonschema_rs
import pytest
from django.core.management import call_command
from django.test import Client

from yiyang.alerts.services import alerts_apply
from yiyang.core.schema import ERROR_REF, error_codes_for
from yiyang.core.testing import World
from yiyang.monitoring.engine.contract import RaiseAlert

pytestmark = pytest.mark.django_db

METHODS = ("get", "post", "put", "patch", "delete")


def _openapi() -> dict[str, Any]:
    return Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def _json_schema(node: Any) -> Any:
    """OpenAPI 3.0 → JSON Schema: `nullable` becomes a null type; refs point into $defs."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _json_schema(value) for key, value in node.items() if key not in ("nullable", "example")}
    if "$ref" in out:
        out["$ref"] = out["$ref"].replace("#/components/schemas/", "#/$defs/")
    if node.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
        if "type" not in out and "enum" not in out:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


class SchemaCheck:
    """Asks the API as one account and checks each answer against the documented one."""

    def __init__(self, client: Client, openapi: dict[str, Any]) -> None:
        self.client = client
        self.openapi = openapi
        self.defs = _json_schema(openapi["components"]["schemas"])
        self.problems: list[str] = []

    def validate(self, schema: dict[str, Any], data: Any, where: str) -> None:
        validator = jsonschema_rs.validator_for({**_json_schema(schema), "$defs": self.defs})
        for error in validator.iter_errors(data):
            self.problems.append(f"{where}: {error.message[:160]} at {list(error.instance_path)}")

    def get(self, template: str, path: str) -> Any:
        response = self.client.get(path)
        documented = self.openapi["paths"][template]["get"]["responses"].get(str(response.status_code))
        if documented is None:
            self.problems.append(f"GET {path}: undocumented status {response.status_code}")
            return None
        media = response.headers.get("Content-Type", "").split(";")[0]
        content = documented.get("content", {})
        if content and media not in content:
            self.problems.append(f"GET {path}: {media} is not documented ({sorted(content)})")
            return None
        if media != "application/json":
            return None
        data = response.json()
        if "schema" in content.get(media, {}):
            self.validate(content[media]["schema"], data, f"GET {path} ({response.status_code})")
        return data

    def walk(self) -> int:
        """Every list (the largest page), then every operation under it with the ids it listed."""
        paths = sorted(p for p, item in self.openapi["paths"].items() if "get" in item)
        ids: dict[str, list[str]] = {}
        answers = 0
        for template in paths:
            if "{" in template:
                continue
            data = self.get(template, template + "?page_size=200")
            answers += 1
            rows = data.get("results", []) if isinstance(data, dict) else data if isinstance(data, list) else []
            ids[template] = [str(row["id"]) for row in rows if isinstance(row, dict) and "id" in row]
        for template in paths:
            match = re.match(r"^(.*?/)\{(\w+)\}/([^{]*)$", template)
            if match:
                for record_id in ids.get(match.group(1), []):
                    self.get(template, f"{match.group(1)}{record_id}/{match.group(3)}")
                    answers += 1
        return answers


def _open_alerts(world: World) -> None:
    from django.utils import timezone

    now = timezone.now()
    alerts_apply(
        [RaiseAlert(elder_id=world.elders["elder0"].pk, alert_type="sos", severity="emergency", at=now, rule="sos")]
    )


@pytest.mark.parametrize("account", ["bureau", "station0", "street0", "institution0", "helper0", "family0"])
def test_every_answer_with_real_records_matches_the_schema(world: World, account: str) -> None:
    _open_alerts(world)
    client = Client()
    client.force_login(world.users[account])
    check = SchemaCheck(client, _openapi())
    answers = check.walk()
    assert answers > 20
    assert check.problems == []


def test_lists_are_documented_as_pages_and_answer_pages(world: World) -> None:
    openapi = _openapi()
    client = Client()
    client.force_login(world.users["bureau"])
    operation = openapi["paths"]["/api/v1/elders/"]["get"]
    page = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    assert set(openapi["components"]["schemas"][page]["properties"]) == {"count", "next", "previous", "results"}
    assert {"page", "page_size"} <= {p["name"] for p in operation["parameters"]}
    assert set(client.get("/api/v1/elders/").json()) == {"count", "next", "previous", "results"}
    # A list answered as a plain array stays documented as one.
    contacts = openapi["paths"]["/api/v1/elders/{public_id}/contacts/"]["get"]["responses"]["200"]
    assert contacts["content"]["application/json"]["schema"]["type"] == "array"


def test_every_operation_documents_its_error_answers_with_the_shared_body() -> None:
    openapi = _openapi()
    error = openapi["components"]["schemas"]["Error"]
    assert error["required"] == ["status", "title", "detail", "errors"]
    field_error = openapi["components"]["schemas"]["FieldError"]
    assert set(field_error["properties"]) == {"field", "reason", "code", "row"}
    assert field_error["required"] == ["field", "reason", "code"]
    operations = 0
    for path, item in openapi["paths"].items():
        for method in METHODS:
            if method not in item:
                continue
            operations += 1
            responses = item[method]["responses"]
            for code, response in responses.items():
                if code.startswith("4"):
                    assert response["content"]["application/json"]["schema"] == ERROR_REF, (method, path, code)
            assert {"403", "404", "429"} <= set(responses), (method, path)
            if "requestBody" in item[method]:
                assert {"400", "404", "413", "415"} <= set(responses), (method, path)
            if method != "get":
                assert "409" in responses, (method, path)
            for parameter in item[method].get("parameters", []):
                if parameter["in"] == "path" and parameter["name"].endswith("id"):
                    assert parameter["schema"] == {"type": "string", "format": "uuid"}, (method, path)
    assert operations > 70
    # Token login and the device webhook take no account; every other operation answers 401 without one.
    assert "401" not in openapi["paths"]["/api/v1/auth/token/"]["post"]["responses"]
    assert "401" in openapi["paths"]["/api/v1/elders/"]["get"]["responses"]


def test_error_answers_have_the_documented_body(world: World) -> None:
    openapi = _openapi()
    anonymous = SchemaCheck(Client(), openapi)
    anonymous.get("/api/v1/elders/", "/api/v1/elders/")  # 401
    client = Client()
    client.force_login(world.users["station0"])
    check = SchemaCheck(client, openapi)
    check.get("/api/v1/elders/{public_id}/", "/api/v1/elders/not-a-uuid/")  # 404
    check.get("/api/v1/elders/", "/api/v1/elders/?living_alone=perhaps")  # 400
    check.get("/api/v1/users/", "/api/v1/users/")  # 403
    check.get("/api/v1/elders/", "/api/v1/elders/?page=999")  # 404
    assert anonymous.problems == [] and check.problems == []
    body = client.get("/api/v1/elders/?living_alone=perhaps").json()
    assert body["status"] == 400 and body["errors"][0]["field"] == "living_alone"


def test_an_empty_filter_value_answers_as_if_it_were_left_out(world: World) -> None:
    """The schema says so (`allowEmptyValue`) for every optional query parameter of every list."""
    openapi = _openapi()
    client = Client()
    client.force_login(world.users["bureau"])
    checked = 0
    for path, item in openapi["paths"].items():
        operation = item.get("get")
        if operation is None or "{" in path:
            continue
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query":
                continue
            assert parameter["allowEmptyValue"] is True, (path, parameter["name"])
            response = client.get(f"{path}?{parameter['name']}=")
            assert response.status_code == 200, (path, parameter["name"], response.content[:300])
            checked += 1
    assert checked > 40


def test_error_codes_follow_what_the_operation_takes() -> None:
    anonymous: list[dict[str, Any]] = [{}]
    assert error_codes_for("get", {}, [{"tokenAuth": []}]) == ["401", "403", "404", "429"]
    assert error_codes_for("get", {"parameters": [{"in": "query", "name": "q"}]}, anonymous) == [
        "400",
        "403",
        "404",
        "429",
    ]
    assert error_codes_for("post", {"requestBody": {}, "security": [{"tokenAuth": []}]}) == [
        "400",
        "401",
        "403",
        "404",
        "409",
        "413",
        "415",
        "429",
    ]
    assert error_codes_for("delete", {"parameters": [{"in": "path", "name": "public_id"}]}) == [
        "400",
        "403",
        "404",
        "409",
        "429",
    ]


def test_the_schema_generates_without_warnings(tmp_path: Any) -> None:
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
