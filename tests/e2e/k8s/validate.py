#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Validates Kubernetes manifests offline against the vendored schemas/kubernetes.json: unknown
# fields, wrong types, bad enum values and missing required fields are errors.
"""usage: validate.py FILE.yaml...

Prints "FILE: APIVERSION KIND NAME: valid" per document, or one line per error
("FILE: KIND NAME: PATH: MESSAGE"). Exit status 0 when all are valid, 1 when
not, 2 on a usage error."""
import base64
import binascii
import datetime
import json
import os
import sys

import jsonschema
import yaml

SCHEMAS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "schemas", "kubernetes.json")

FORMATS = jsonschema.FormatChecker(formats=())


@FORMATS.checks("int64")
def _int64(value):
    return not isinstance(value, int) or -(2**63) <= value < 2**63


@FORMATS.checks("byte", raises=binascii.Error)
def _byte(value):
    return not isinstance(value, str) or base64.b64decode(value, validate=True) is not None


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value):
    # RFC 3339 as Kubernetes writes it: 2024-01-02T03:04:05Z or with an offset.
    if isinstance(value, str):
        datetime.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    return True


def path_of(error):
    return ".".join(str(p) for p in error.absolute_path) or "(document)"


def leaf_errors(error):
    """The errors worth reading: an optional field is `anyOf: [null, $ref]`, so report what
    the $ref branch said rather than "is not valid under any of the given schemas"."""
    if error.validator in ("anyOf", "oneOf") and error.context:
        branches = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
        real = [errs for errs in branches.values()
                if not any(e.validator == "type" and e.validator_value == "null" for e in errs)]
        if len(real) == 1:
            for sub in real[0]:
                yield from leaf_errors(sub)
            return
    yield error


def message(error):
    if error.validator == "type":
        want = error.validator_value
        want = " or ".join(want) if isinstance(want, list) else want
        return f"{path_of(error)} must be {want}, not {json.dumps(error.instance)}"
    if error.validator == "additionalProperties" and error.validator_value is False:
        return f"{path_of(error)}: {error.message} (not a field of this object)"
    return f"{path_of(error)}: {error.message}"


def check(validator_for, file):
    failed = 0
    try:
        with open(file, encoding="utf-8") as f:
            docs = list(yaml.safe_load_all(f))
    except (OSError, yaml.YAMLError) as e:
        print(f"{file}: {e}", file=sys.stderr)
        return 1
    for doc in docs:
        if doc is None:
            continue
        if not isinstance(doc, dict):
            print(f"{file}: a document is not a mapping", file=sys.stderr)
            failed += 1
            continue
        api, kind = doc.get("apiVersion"), doc.get("kind")
        name = (doc.get("metadata") or {}).get("name")
        validator = validator_for(f"{api}/{kind}")
        if validator is None:
            print(f"{file}: {api} {kind}: no schema for this kind (schemas/kubernetes.json "
                  f"covers only the kinds in deploy/kubernetes; see schemas/README)",
                  file=sys.stderr)
            failed += 1
            continue
        errors = sorted((leaf for e in validator.iter_errors(doc) for leaf in leaf_errors(e)),
                        key=lambda e: list(map(str, e.absolute_path)))
        for e in errors:
            print(f"{file}: {kind} {name}: {message(e)}", file=sys.stderr)
        if errors:
            failed += 1
        else:
            print(f"{file}: {api} {kind} {name}: valid")
    return failed


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__, file=sys.stdout if len(argv) == 2 else sys.stderr)
        return 0 if len(argv) == 2 else 2
    with open(SCHEMAS, encoding="utf-8") as f:
        bundle = json.load(f)
    cls = jsonschema.Draft7Validator
    cls.check_schema(bundle)

    def validator_for(api_kind):
        definition = bundle["kinds"].get(api_kind)
        if definition is None:
            return None
        schema = {"$ref": f"#/definitions/{definition}", "definitions": bundle["definitions"]}
        return cls(schema, format_checker=FORMATS)

    failed = sum(check(validator_for, file) for file in argv[1:])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
