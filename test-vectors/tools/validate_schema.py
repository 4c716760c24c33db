#!/usr/bin/env python3
"""Validate a JSON document against a vendored schema (test-vectors/schemas/).

Usage: validate_schema.py sarif|cyclonedx-1.6 FILE
Exit 0 when valid; 1 with the first errors printed otherwise. Works with python3-jsonschema
from Debian 12 (4.10) and newer releases (4.18+, which resolve references via `referencing`).
"""
import json
import pathlib
import sys

import jsonschema

HERE = pathlib.Path(__file__).resolve().parent.parent / "schemas"
SCHEMAS = {
    "sarif": "sarif-schema-2.1.0.json",
    "cyclonedx-1.6": "bom-1.6.schema.json",
}
# The CycloneDX schema refers to these by relative file name.
REFERENCED = {
    "spdx.SNAPSHOT.schema.json": "spdx.SNAPSHOT.schema.json",
    "jsf-0.82.SNAPSHOT.schema.json": "jsf-0.82.SNAPSHOT.schema.json",
}


def main() -> int:
    kind, path = sys.argv[1], sys.argv[2]
    schema = json.loads((HERE / SCHEMAS[kind]).read_text())
    doc = json.loads(pathlib.Path(path).read_text())
    base = schema.get("$id", "").rsplit("/", 1)[0] + "/"
    store = {}
    for name, file in REFERENCED.items():
        sub = json.loads((HERE / file).read_text())
        store[base + name] = sub
        if "$id" in sub:
            store[sub["$id"]] = sub
    cls = jsonschema.validators.validator_for(schema)
    try:
        from referencing import Registry, Resource

        registry = Registry().with_resources(
            (uri, Resource.from_contents(s, default_specification=
                                         __import__("referencing.jsonschema").jsonschema.DRAFT7))
            for uri, s in store.items()
        )
        validator = cls(schema, registry=registry, format_checker=cls.FORMAT_CHECKER)
    except ImportError:
        resolver = jsonschema.RefResolver(base_uri=schema.get("$id", ""), referrer=schema, store=store)
        validator = cls(schema, resolver=resolver, format_checker=cls.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    for e in errors[:10]:
        print(f"{'/'.join(map(str, e.absolute_path))}: {e.message}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
