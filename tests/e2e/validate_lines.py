#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Validates every line of JSON-lines files against a JSON Schema (draft 2020-12).
"""usage: validate_lines.py SCHEMA FILE...  (exit 0 when every line is valid)"""
import json
import sys

import jsonschema


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    bad = lines = 0
    for path in sys.argv[2:]:
        with open(path, encoding="utf-8") as f:
            for n, text in enumerate(f, 1):
                lines += 1
                try:
                    doc = json.loads(text)
                except ValueError as e:
                    bad += 1
                    print(f"{path}:{n}: not JSON: {e}", file=sys.stderr)
                    continue
                for err in validator.iter_errors(doc):
                    bad += 1
                    where = "/".join(str(p) for p in err.absolute_path)
                    print(f"{path}:{n}: {where}: {err.message[:300]}", file=sys.stderr)
    print(f"{lines} lines, {bad} errors")
    return 1 if bad or not lines else 0


if __name__ == "__main__":
    sys.exit(main())
