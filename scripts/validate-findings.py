#!/usr/bin/env python3
"""validate-findings: checks `trailhound scan --format ocsf` and `--format asff` output against the official
schemas, and `--format jsonl`/`json` output against trailhound's own, offline (no network, no AWS call).

    python3 scripts/validate-findings.py ocsf FILE    # FILE of JSON Lines, or - for standard input
    python3 scripts/validate-findings.py asff FILE
    python3 scripts/validate-findings.py trailhound FILE [SCHEMA]   # JSON Lines or a JSON array

OCSF: each line is validated against the JSON Schema (draft 2020-12) that the `ocsf-json-schema` package builds
from the OCSF schema export it ships (schema.ocsf.io's export of each release), for the version in
metadata.version, the class in class_uid and the profiles in metadata.profiles. Unknown attributes, missing
required ones, wrong types and values outside an enum fail. Also checked: type_uid = class_uid * 100 + activity_id,
and that the names beside ids (class_name, activity_name, severity, status, type_name) are the schema's captions.

ASFF: botocore's service model for Security Hub. Each line is validated as one element of BatchImportFindings'
`Findings` with botocore's own parameter validation (required members, types, unknown members, minimums), then
against what the model states that botocore does not enforce: enums, patterns, the length and count limits written
in the model's documentation (Title 256, Description 1024, ProductFields 50 pairs, ...; lengths counted in UTF-16
code units, the strictest reading), the timestamp formats, and the size of each finding (240 KB, as JSON with
non-ASCII characters escaped, the way botocore sends it). Ids must be unique in the file.

trailhound: each finding is validated against Fixtures/schema/finding.schema.json (JSON Schema draft 2020-12; the
same text `trailhound schema` prints), or the SCHEMA file given. Ids must be unique in the file.

Needs: pip install ocsf-json-schema jsonschema botocore
Exit status: 0 every finding valid; 1 a finding is invalid (each problem is printed with its line number), or the
input holds no finding; 2 usage error.
"""

from __future__ import annotations

import json
import re
import sys


def read_lines(path: str) -> list[tuple[int, object]]:
    text = sys.stdin.read() if path == "-" else open(path, encoding="utf-8").read()
    if text.lstrip().startswith("["):  # --format json: one array (numbered by position, from 1)
        return list(enumerate(json.loads(text), 1))
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            out.append((number, json.loads(line)))
    return out


# --- OCSF ---------------------------------------------------------------------------------------------------------

def validate_ocsf(findings: list[tuple[int, object]]) -> list[str]:
    import jsonschema
    from ocsf_json_schema import OcsfJsonSchemaEmbedded, get_ocsf_schema

    problems: list[str] = []
    validators: dict[tuple, jsonschema.Draft202012Validator] = {}
    raw_schemas: dict[str, dict] = {}
    for number, finding in findings:
        if not isinstance(finding, dict):
            problems.append(f"line {number}: not a JSON object")
            continue
        metadata = finding.get("metadata") or {}
        version = metadata.get("version")
        profiles = sorted(metadata.get("profiles") or [])
        try:
            if version not in raw_schemas:
                raw_schemas[version] = get_ocsf_schema(version=version)
            raw = raw_schemas[version]
            schema = OcsfJsonSchemaEmbedded(raw)
            class_name = schema.lookup_class_name_from_uid(finding.get("class_uid"))
            unknown = [p for p in profiles if p not in raw["classes"][class_name].get("profiles", [])]
            if unknown:
                problems.append(f"line {number}: profiles {unknown} do not apply to class {class_name}")
                continue
            key = (version, class_name, tuple(profiles))
            if key not in validators:
                validators[key] = jsonschema.Draft202012Validator(
                    schema.get_class_schema(class_name, profiles), format_checker=jsonschema.FormatChecker())
        except Exception as error:  # an unknown version or class
            problems.append(f"line {number}: no OCSF schema for version {version!r}, class {finding.get('class_uid')!r}: {error}")
            continue
        for error in sorted(validators[key].iter_errors(finding), key=lambda e: list(e.absolute_path)):
            where = "/".join(str(p) for p in error.absolute_path) or "(finding)"
            problems.append(f"line {number}: {where}: {error.message}")
        problems += [f"line {number}: {p}" for p in ocsf_siblings(finding, raw["classes"][class_name])]
    return problems


def ocsf_siblings(finding: dict, cls: dict) -> list[str]:
    problems = []
    if finding.get("type_uid") != finding.get("class_uid", 0) * 100 + finding.get("activity_id", 0):
        problems.append(f"type_uid {finding.get('type_uid')} is not class_uid * 100 + activity_id")
    if "class_name" in finding and finding["class_name"] != cls.get("caption"):
        problems.append(f"class_name {finding['class_name']!r} is not {cls.get('caption')!r}")
    attributes = cls["attributes"]
    for id_name, name in [("activity_id", "activity_name"), ("severity_id", "severity"), ("status_id", "status"),
                          ("type_uid", "type_name")]:
        if name not in finding or id_name not in finding:
            continue
        value = finding[id_name]
        caption = (attributes.get(id_name, {}).get("enum", {}).get(str(value)) or {}).get("caption")
        if value != 99 and value % 100 != 99 and caption is not None and finding[name] != caption:
            problems.append(f"{name} {finding[name]!r} is not the caption of {id_name} {value} ({caption!r})")
    return problems


# --- ASFF ---------------------------------------------------------------------------------------------------------

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}(:?\d{2})?)$")


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def documented_limits(doc: str) -> dict[str, int]:
    """The limits a member's documentation in the model states."""
    timestamp = "#timestamps" in (doc or "")  # links to the API reference's rules for timestamp fields
    doc = re.sub(r"<[^>]+>", "", doc or "")
    limits = {}
    patterns = {
        "min_length": [r"Minimum length of (\d+)", r"Minimum of (\d+) length"],
        "max_length": [r"Maximum length of (\d+)", r"Maximum of (\d+) length"],
        "max_items": [r"Maximum number of (\d+) items"],
        "max_pairs": [r"up to (\d+) key-value pairs"],
        "max_key": [r"key can contain up to (\d+) characters"],
        "max_value": [r"value can contain up to (\d+) characters"],
    }
    for name, regexes in patterns.items():
        for regex in regexes:
            m = re.search(regex, doc)
            if m:
                limits[name] = int(m.group(1))
    m = re.search(r"Length Constraints: (\d+)\.", doc)
    if m:
        limits["min_length"] = limits["max_length"] = int(m.group(1))
    if timestamp or "Timestamps can end with" in doc:
        limits["timestamp"] = 1
    return limits


def check_shape(value, shape, path: str, doc: str, problems: list[str]) -> None:
    limits = documented_limits(doc)
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        for name, member in shape.members.items():
            if name in value:
                check_shape(value[name], member, f"{path}.{name}", member.documentation, problems)
    elif kind == "list" and isinstance(value, list):
        if "max_items" in limits and len(value) > limits["max_items"]:
            problems.append(f"{path}: {len(value)} items, more than {limits['max_items']}")
        for k, item in enumerate(value):
            check_shape(item, shape.member, f"{path}[{k}]", shape.member.documentation, problems)
    elif kind == "map" and isinstance(value, dict):
        if "max_pairs" in limits and len(value) > limits["max_pairs"]:
            problems.append(f"{path}: {len(value)} pairs, more than {limits['max_pairs']}")
        for key, item in value.items():
            if "max_key" in limits and utf16_length(key) > limits["max_key"]:
                problems.append(f"{path}: key {key[:40]!r}… is longer than {limits['max_key']}")
            if isinstance(item, str) and "max_value" in limits and utf16_length(item) > limits["max_value"]:
                problems.append(f"{path}.{key}: longer than {limits['max_value']}")
            check_shape(key, shape.key, f"{path} key", "", problems)
            check_shape(item, shape.value, f"{path}.{key}", shape.value.documentation, problems)
    elif kind == "string" and isinstance(value, str):
        enum = shape.enum
        if enum and value not in enum:
            problems.append(f"{path}: {value!r} is not one of {enum}")
        pattern = shape.metadata.get("pattern")
        if pattern:
            try:
                if not re.search(pattern, value):
                    problems.append(f"{path}: {value[:60]!r} does not match {pattern!r}")
            except re.error:
                pass  # a pattern in a dialect Python does not read
        length = utf16_length(value)
        if length > limits.get("max_length", length):
            problems.append(f"{path}: {length} characters, more than {limits['max_length']}")
        if length < limits.get("min_length", 0):
            problems.append(f"{path}: {length} characters, fewer than {limits['min_length']}")
        if limits.get("timestamp") and not TIMESTAMP.match(value):
            problems.append(f"{path}: {value!r} is not a timestamp Security Hub accepts")


def validate_asff(findings: list[tuple[int, object]]) -> list[str]:
    import botocore.session
    from botocore.exceptions import ParamValidationError
    from botocore.validate import validate_parameters

    model = botocore.session.get_session().get_service_model("securityhub")
    request = model.operation_model("BatchImportFindings").input_shape
    finding_shape = request.members["Findings"].member
    problems: list[str] = []
    seen: dict[str, int] = {}
    for number, finding in findings:
        try:
            validate_parameters({"Findings": [finding]}, request)
        except ParamValidationError as error:
            problems += [f"line {number}: {line.strip()}" for line in str(error).splitlines()[1:] if line.strip()]
        found: list[str] = []
        check_shape(finding, finding_shape, "Finding", "", found)
        # BatchImportFindings: "The maximum allowed size for a finding is 240 Kb." Counted as botocore sends it
        # (json.dumps: every non-ASCII character escaped), in bytes: the strictest reading.
        size = len(json.dumps(finding, separators=(",", ":")))
        if size > 240_000:
            found.append(f"Finding: {size} bytes as JSON, more than Security Hub's 240 KB per finding")
        problems += [f"line {number}: {p}" for p in found]
        if isinstance(finding, dict):
            id = finding.get("Id")
            if id in seen:
                problems.append(f"line {number}: Id {id!r} repeats line {seen[id]}")
            seen[id] = number
    return problems


# --- trailhound's own findings -------------------------------------------------------------------------------------

def validate_trailhound(findings: list[tuple[int, object]], schema_path: str) -> list[str]:
    import jsonschema

    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    problems: list[str] = []
    seen: dict[str, int] = {}
    for number, finding in findings:
        for error in sorted(validator.iter_errors(finding), key=lambda e: list(e.absolute_path)):
            where = "/".join(str(p) for p in error.absolute_path) or "(finding)"
            problems.append(f"line {number}: {where}: {error.message}")
        if isinstance(finding, dict):
            id = finding.get("id")
            if id in seen:
                problems.append(f"line {number}: id {id!r} repeats line {seen[id]}")
            seen[id] = number
    return problems


def main() -> int:
    kinds = ("ocsf", "asff", "trailhound")
    if not (len(sys.argv) == 3 or (len(sys.argv) == 4 and sys.argv[1] == "trailhound")) or sys.argv[1] not in kinds:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    kind, path = sys.argv[1], sys.argv[2]
    try:
        findings = read_lines(path)
    except (OSError, json.JSONDecodeError) as error:
        print(f"validate-findings: {path}: {error}", file=sys.stderr)
        return 1
    if not findings:
        print(f"validate-findings: {path}: no findings to validate", file=sys.stderr)
        return 1
    if kind == "trailhound":
        import os
        default = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Fixtures", "schema", "finding.schema.json")
        problems = validate_trailhound(findings, sys.argv[3] if len(sys.argv) == 4 else default)
    else:
        problems = validate_ocsf(findings) if kind == "ocsf" else validate_asff(findings)
    for problem in problems:
        print(f"validate-findings: {kind}: {problem}", file=sys.stderr)
    if problems:
        print(f"validate-findings: {kind}: {len(problems)} problems in {len(findings)} findings", file=sys.stderr)
        return 1
    print(f"validate-findings: {kind}: {len(findings)} findings valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
