#!/usr/bin/env python3
"""Referee: every OCSF event Roster emits validates against OCSF 1.1.0's JSON schema.

The schema of each event's class comes from the `ocsf-json-schema` package (PyPI), with the
`cloud` profile AWS Security Lake applies; `jsonschema` (PyPI) validates. The events are the
ones `crates/roster-interop/tests/ocsf_events.rs` writes: every identity-change kind Roster
records and every audit log event monday-sim logs. An invalid event, a file without events, or
a class missing fails this script.

With a PARQUET_DIR (what the same test writes as AWS Security Lake's files), every Parquet
file is read back with pyarrow (PyPI): one class per file, in `<class>/eventDay=YYYYMMDD/`
folders that match its rows, and every row, validated as above, equal to its JSON line with
the empty values Parquet leaves out (null, {}) taken out of both.

Usage: ocsf-referee.py EVENTS_JSONL [PARQUET_DIR]
"""
import datetime
import json
import pathlib
import sys

from jsonschema import Draft202012Validator
from ocsf_json_schema import OcsfJsonSchemaEmbedded, get_ocsf_schema

CLASSES = {3001, 3002, 3004, 3005, 3006}


def without_empties(v):
    if isinstance(v, dict):
        kept = {k: w for k, w in ((k, without_empties(x)) for k, x in v.items()) if w is not None}
        return kept or None
    if isinstance(v, list):
        return [w for w in (without_empties(x) for x in v) if w is not None]
    return v


def check_parquet(directory, events, validators, ocsf):
    import pyarrow.parquet as pq

    by_uid = {e["metadata"]["uid"]: without_empties(e) for e in events}
    files = sorted(pathlib.Path(directory).rglob("*.parquet"))
    if not files:
        print(f"{directory} holds no Parquet file: the OCSF test did not write them", file=sys.stderr)
        return 1
    rows, bad = 0, []
    for f in files:
        table = pq.read_table(f, partitioning=None)
        classes = set(table.column("class_uid").to_pylist())
        if len(classes) != 1:
            bad.append(f"{f}: {len(classes)} classes in one file ({sorted(classes)})")
            continue
        cls = classes.pop()
        if not f.parent.parent.name.startswith(f"{cls}-"):
            bad.append(f"{f}: class {cls} in another class's folder")
        for row in table.to_pylist():
            rows += 1
            row = without_empties(row)
            day = datetime.datetime.fromtimestamp(row["time"] / 1000, datetime.timezone.utc).strftime("%Y%m%d")
            if f.parent.name != f"eventDay={day}":
                bad.append(f"{f}: an event of {day}")
            if cls not in validators:
                name = ocsf.lookup_class_name_from_uid(class_uid=cls)
                validators[cls] = Draft202012Validator(ocsf.get_class_schema(class_name=name, profiles=["cloud"]))
            errors = list(validators[cls].iter_errors(row))
            if errors:
                bad.append(f"{f}: row {row['metadata']['uid']} is not valid OCSF 1.1.0: {errors[0].message}")
            if by_uid.get(row["metadata"]["uid"]) != row:
                bad.append(f"{f}: row {row['metadata']['uid']} differs from its JSON line")
    if rows != len(events):
        bad.append(f"{rows} Parquet rows for {len(events)} JSON lines")
    for b in bad[:10]:
        print(b, file=sys.stderr)
    if bad:
        return 1
    print(f"{len(files)} Parquet files read back with pyarrow: {rows} rows, one class a file, each valid and equal to its JSON line")
    return 0


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
    if len(sys.argv) > 2:
        return check_parquet(sys.argv[2], events, validators, ocsf)
    return 0


if __name__ == "__main__":
    sys.exit(main())
