#!/usr/bin/env python3
"""Referee: every OCSF event Roster emits validates against OCSF 1.1.0's JSON schema.

The schema of each event's class comes from the `ocsf-json-schema` package (PyPI), with the
`cloud` profile AWS Security Lake applies; `jsonschema` (PyPI) validates. The events are the
ones `crates/roster-interop/tests/ocsf_events.rs` writes: every identity-change kind Roster
records and every audit log event monday-sim logs. An invalid event, a file without events, or
a class missing fails this script.

Usage: ocsf-referee.py EVENTS_JSONL
"""
import json
import sys

from jsonschema import Draft202012Validator
from ocsf_json_schema import OcsfJsonSchemaEmbedded, get_ocsf_schema

CLASSES = {3001, 3002, 3004, 3005, 3006}


def main() -> int:
    path = sys.argv[1]
    events = [json.loads(line) for line in open(path) if line.strip()]
    if not events:
        print(f"{path} holds no events: the OCSF test did not run", file=sys.stderr)
        return 1
    ocsf = OcsfJsonSchemaEmbedded(get_ocsf_schema(version="1.1.0"))
    validators = {}
    bad = []
    seen = {}
    for e in events:
        uid = e.get("class_uid")
        if uid not in validators:
            name = ocsf.lookup_class_name_from_uid(class_uid=uid)
            validators[uid] = Draft202012Validator(ocsf.get_class_schema(class_name=name, profiles=["cloud"]))
        errors = sorted(validators[uid].iter_errors(e), key=lambda x: list(x.path))
        if errors:
            bad.append((e.get("metadata", {}).get("uid"), uid, errors[0].message, list(errors[0].path)))
        key = (uid, e.get("activity_id"))
        seen[key] = seen.get(key, 0) + 1
    for uid, cls, msg, where in bad[:10]:
        print(f"event {uid} (class {cls}) is not valid OCSF 1.1.0 at {where}: {msg}", file=sys.stderr)
    missing = CLASSES - {c for c, _ in seen}
    if missing:
        print(f"no event of class {sorted(missing)}", file=sys.stderr)
    if bad or missing:
        return 1
    summary = ", ".join(f"{c}/{a}: {n}" for (c, a), n in sorted(seen.items()))
    print(f"{len(events)} OCSF events valid against OCSF 1.1.0 (cloud profile); class/activity: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
