#!/usr/bin/env python3
"""Walk a live Yiyang API with real ids and check every answer against its OpenAPI schema.

Schemathesis makes up its inputs, so a record endpoint mostly sees random UUIDs and answers 404: the
record bodies themselves are seldom checked. This walk reads every list operation (no path
parameter) with the largest page, then every operation under it with the ids the list gave (the path
up to `{public_id}` is the list), and validates each 2xx JSON body against the documented schema.

Usage: schema_walk.py BASE_URL TOKEN [CONFIG]  (exit 1 on any violation or server error)

With CONFIG, it also writes a schemathesis.toml there that gives schemathesis the ids it found: each
operation under a list takes a real `{public_id}` from that list in most generated cases (and a made-up
one in the rest), so that record operations are exercised beyond their 404.
"""

import json
import re
import sys
import urllib.error
import urllib.request
from typing import Any

import jsonschema_rs


def fetch(base: str, token: str, path: str) -> tuple[int, str, bytes]:
    request = urllib.request.Request(base + path, headers={"Authorization": f"Token {token}", "Accept": "*/*"})
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, answer.headers.get("Content-Type", ""), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


def to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schema → JSON Schema: `nullable` becomes a null type, refs point into $defs."""
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: to_json_schema(value) for key, value in node.items() if key not in ("nullable", "example")}
    if "$ref" in out:
        out["$ref"] = out["$ref"].replace("#/components/schemas/", "#/$defs/")
    if node.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
        if "type" not in out:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def collection_of(template: str) -> str:
    """The collection a path names: `/organisations/{public_id}/beds/` lists `beds`."""
    return [part for part in template.split("/") if part and not part.startswith("{")][-1]


def record_collection_of(template: str) -> str:
    """The collection whose record an operation works on: `/beds/{public_id}/state/` works on `beds`."""
    return collection_of(template.split("{public_id}")[0])


def write_config(path: str, collections: dict[str, list[str]], operations: list[str]) -> None:
    """A schemathesis.toml offering the real ids of each collection to the operations on its records."""
    lines = ["[cache]", "enabled = false", ""]
    for name, values in sorted(collections.items()):
        if values:
            lines += [f"[dictionaries.{name.replace('-', '_')}]", f"values = {json.dumps(values[:20])}", ""]
    for template in operations:
        name = record_collection_of(template)
        if "{public_id}" not in template or not collections.get(name):
            continue
        pattern = "^" + re.escape(template).replace(r"\{public_id\}", "[{]public_id[}]") + "$"
        binding = f'{{ dictionary = "{name.replace("-", "_")}", probability = 0.8 }}'
        lines += ["[[operations]]", f"include-path-regex = {json.dumps(pattern)}"]
        lines += [f'parameters = {{ "path.public_id" = {binding} }}', ""]
    with open(path, "w", encoding="utf-8") as config:
        config.write("\n".join(lines))


def main() -> int:
    base, token = sys.argv[1].rstrip("/"), sys.argv[2]
    status, _, body = fetch(base, token, "/api/schema/?format=json")
    assert status == 200, status
    schema = json.loads(body)
    defs = to_json_schema(schema.get("components", {}).get("schemas", {}))
    problems: list[str] = []
    checked = 0
    ids: dict[str, list[str]] = {}
    # Real ids by collection (`elders`, `beds`, `districts`…), from lists and lists under records.
    collections: dict[str, list[str]] = {}
    seen: set[str] = set()

    def collect(template: str, data: Any) -> list[str]:
        rows = data.get("results", []) if isinstance(data, dict) else data if isinstance(data, list) else []
        found = [str(row["id"]) for row in rows if isinstance(row, dict) and "id" in row]
        collections.setdefault(collection_of(template), []).extend(found)
        districts = [str(row["id"]) for row in rows if isinstance(row, dict) and row.get("level") == "district"]
        collections.setdefault("districts", []).extend(districts)
        return found

    def check(template: str, path: str) -> Any:
        nonlocal checked
        operation = schema["paths"][template]["get"]
        status, content_type, body = fetch(base, token, path)
        checked += 1
        documented = operation["responses"].get(str(status))
        if status >= 500:
            problems.append(f"GET {path}: server error {status}")
            return None
        if documented is None:
            problems.append(f"GET {path}: undocumented status {status}")
            return None
        content = documented.get("content", {})
        media = content_type.split(";")[0].strip()
        if content and media not in content:
            problems.append(f"GET {path}: content type {media} not in {sorted(content)}")
            return None
        if media != "application/json" or not (200 <= status < 300):
            return None
        data = json.loads(body)
        if "schema" in content.get(media, {}):
            validator = jsonschema_rs.validator_for({**to_json_schema(content[media]["schema"]), "$defs": defs})
            for error in validator.iter_errors(data):
                where = "/".join("*" if isinstance(part, int) else str(part) for part in error.instance_path)
                message = re.sub(r"^.{60,}? is not", "… is not", error.message)[:160]
                key = f"GET {template}: {message} at /{where}"
                if key not in seen:
                    seen.add(key)
                    problems.append(f"{key} (e.g. {path})")
        return data

    templates = sorted(p for p, item in schema["paths"].items() if "get" in item)
    for template in templates:
        if "{" in template:
            continue
        params = {p["name"] for p in schema["paths"][template]["get"].get("parameters", [])}
        data = check(template, template + ("?page_size=200" if "page_size" in params else ""))
        ids[template] = collect(template, data)[:20]
    for template in templates:
        match = re.match(r"^(.*?/)\{(\w+)\}/(.*)$", template)
        if not match or "{" in match.group(3):
            continue
        for record_id in ids.get(match.group(1), []):
            collect(template, check(template, f"{match.group(1)}{record_id}/{match.group(3)}"))
    if len(sys.argv) > 3:
        operations = sorted(schema["paths"])
        write_config(sys.argv[3], {k: list(dict.fromkeys(v)) for k, v in collections.items()}, operations)
    for problem in problems:
        print(problem)
    print(f"schema walk: {checked} answers checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
