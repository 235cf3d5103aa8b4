#!/usr/bin/env python3
"""event-check.py: validates godwit events against docs/event.schema.json.

    event-check.py lines FILE     each line of an audit log
    event-check.py history FILE   the events of `history --format json`

Exits 1 and names the line and the failing rule when one does not match.
Needs the jsonschema module (Debian: python3-jsonschema).
"""
import json
import os
import sys

import jsonschema

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "..", "..", "docs", "event.schema.json")) as f:
    schema = json.load(f)
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())

mode, path = sys.argv[1], sys.argv[2]
with open(path) as f:
    if mode == "lines":
        events = [(n, json.loads(line)) for n, line in enumerate(f, 1)]
    else:
        events = list(enumerate(json.load(f)["events"], 1))
bad = 0
for n, event in events:
    for error in validator.iter_errors(event):
        print("%s:%d: %s" % (path, n, error.message))
        bad = 1
if not events:
    print("%s: no events" % path)
    bad = 1
sys.exit(bad)
