#!/usr/bin/env python3
"""Real clients nobody here wrote read monday-sim as they read monday.com, and read the truth.

Airbyte's source-monday (streams users, teams, workspaces, boards, items) and monday.com's own
JS SDK (@mondaydotcomorg/api: getMeOp, getBoardItemsOp, raw queries for users and teams) run
against monday-sim; what they read is compared with the ground truth (`/_sim/state`) field by
field. A client that errors, reads nothing, or reads something else fails this script.

Airbyte's connector has monday.com's URL written in its manifest: a copy of the package with
that one line pointed at monday-sim is put first on the path; the installed package is untouched.

Usage: real-clients.py MONDAY_SIM_BINARY AIRBYTE_VENV_PYTHON JS_SDK_SCRIPT
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request

TOKEN = "sim-admin-token"


def fail(msg: str) -> None:
    print(f"real clients: {msg}", file=sys.stderr)
    sys.exit(1)


def airbyte(python: str, url: str, work: str) -> dict:
    """Runs source-monday's `read` and returns its records by stream."""
    where = subprocess.run([python, "-c", "import os, source_monday; print(os.path.dirname(source_monday.__file__))"],
                           capture_output=True, text=True, check=True).stdout.strip()
    copy = os.path.join(work, "pkg", "source_monday")
    shutil.copytree(where, copy)
    manifest = os.path.join(copy, "manifest.yaml")
    text = open(manifest).read()
    if 'url_base: "https://api.monday.com/v2"' not in text:
        fail("source-monday's manifest no longer names https://api.monday.com/v2: update this script")
    open(manifest, "w").write(text.replace('url_base: "https://api.monday.com/v2"', f'url_base: "{url}/v2"'))
    config = os.path.join(work, "config.json")
    json.dump({"credentials": {"auth_type": "api_token", "api_token": TOKEN}}, open(config, "w"))
    streams = ["users", "teams", "workspaces", "boards", "items"]
    catalog = os.path.join(work, "catalog.json")
    json.dump({"streams": [{"stream": {"name": s, "json_schema": {}, "supported_sync_modes": ["full_refresh"]},
                            "sync_mode": "full_refresh", "destination_sync_mode": "overwrite"} for s in streams]},
              open(catalog, "w"))
    env = dict(os.environ, PYTHONPATH=os.path.join(work, "pkg"))
    run = subprocess.run([python, "-c", "from source_monday.run import run; run()", "read", "--config", config,
                          "--catalog", catalog], capture_output=True, text=True, env=env, timeout=600)
    records: dict = {s: [] for s in streams}
    for line in run.stdout.splitlines():
        try:
            m = json.loads(line)
        except ValueError:
            continue
        if m.get("type") == "RECORD":
            records.setdefault(m["record"]["stream"], []).append(m["record"]["data"])
        elif m.get("type") == "TRACE" and m["trace"].get("type") == "ERROR":
            fail(f"Airbyte reported an error: {m['trace']['error'].get('message')}\n{m['trace']['error'].get('stack_trace', '')[-2000:]}")
        elif m.get("type") == "LOG" and m["log"].get("level") in ("ERROR", "FATAL"):
            fail(f"Airbyte logged an error: {m['log'].get('message')}")
    if run.returncode != 0:
        fail(f"source-monday exited {run.returncode}: {run.stderr[-2000:]}")
    return records


def same(what: str, got, want) -> None:
    if got != want:
        missing = sorted(set(want) - set(got))[:5] if isinstance(want, (set, list)) else None
        extra = sorted(set(got) - set(want))[:5] if isinstance(got, (set, list)) else None
        fail(f"{what}: read {len(got)}, truth {len(want)}; missing {missing}, extra {extra}")


def items_of(board: dict) -> list:
    # monday-sim's items: 1 to 5 a board, ids board*8+k (crates/monday-sim/src/items.rs).
    return [str(board["id"] * 8 + k) for k in range(board["id"] % 5 + 1)]


def main() -> int:
    sim_bin, python, js = sys.argv[1], sys.argv[2], sys.argv[3]
    sim = subprocess.Popen([sim_bin, "serve", "--port", "0", "--users", "150", "--teams", "8", "--workspaces", "5",
                            "--boards", "30", "--seed", "11", "--no-limits"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        url = sim.stdout.readline().strip()
        if not url.startswith("http://"):
            fail(f"monday-sim did not start: {url!r}")
        truth = json.load(urllib.request.urlopen(f"{url}/_sim/state"))
        with tempfile.TemporaryDirectory() as work:
            rec = airbyte(python, url, work)
        sdk = subprocess.run(["node", js, f"{url}/v2", TOKEN], capture_output=True, text=True, timeout=300)
        if sdk.returncode != 0:
            fail(f"the JS SDK failed: {sdk.stderr[-2000:]}")
        js_read = json.loads(sdk.stdout)
    finally:
        sim.kill()
        sim.wait()

    users = {str(u["id"]): u for u in truth["users"] if u["status"] != "INACTIVE"}
    active_boards = [b for b in truth["boards"] if b["state"] == "active"]
    active_ws = [w for w in truth["workspaces"] if w["state"] == "active"]

    # Airbyte.
    same("Airbyte users", sorted(str(u["id"]) for u in rec["users"]), sorted(users))
    for u in rec["users"]:
        t = users[str(u["id"])]
        if (u["email"], u["name"]) != (t["email"], t["name"]):
            fail(f"Airbyte user {u['id']}: read {(u['email'], u['name'])}, truth {(t['email'], t['name'])}")
    same("Airbyte teams", sorted(str(t["id"]) for t in rec["teams"]), sorted(str(t["id"]) for t in truth["teams"]))
    for t in rec["teams"]:
        want = next(x for x in truth["teams"] if str(x["id"]) == str(t["id"]))
        # `Team.users` without arguments leaves deactivated users out, like `users`.
        same(f"Airbyte team {t['id']} members", sorted(str(u["id"]) for u in t.get("users") or []),
             sorted(str(m) for m in want["members"] if str(m) in users))
    same("Airbyte workspaces", sorted(str(w["id"]) for w in rec["workspaces"]), sorted(str(w["id"]) for w in active_ws))
    same("Airbyte boards", sorted(str(b["id"]) for b in rec["boards"]), sorted(str(b["id"]) for b in active_boards))
    for b in rec["boards"]:
        want = next(x for x in truth["boards"] if str(x["id"]) == str(b["id"]))
        if b["name"] != want["name"] or not b.get("columns") or not b.get("top_group"):
            fail(f"Airbyte board {b['id']}: {b['name']!r} (truth {want['name']!r}), columns {b.get('columns')}, top_group {b.get('top_group')}")
        same(f"Airbyte board {b['id']} owners", sorted(str(o["id"]) for o in b.get("owners") or []),
             sorted(str(o) for o in want["owners"]))
    same("Airbyte items", sorted(str(i["id"]) for i in rec["items"]),
         sorted(i for b in active_boards for i in items_of(b)))

    # monday.com's JS SDK.
    admin = next(t["user_id"] for t in truth["tokens"] if t["token"] == TOKEN)
    if str(js_read["me"]["id"]) != str(admin):
        fail(f"JS SDK getMeOp: {js_read['me']}, truth user {admin}")
    for board, got in js_read["items"].items():
        want = next(b for b in truth["boards"] if str(b["id"]) == board)
        same(f"JS SDK getBoardItemsOp board {board}", sorted(got), sorted(items_of(want)))
    same("JS SDK users", sorted(js_read["users"]), sorted(users))
    same("JS SDK teams", sorted(js_read["teams"]), sorted(str(t["id"]) for t in truth["teams"]))

    n = {s: len(v) for s, v in rec.items()}
    print(f"Airbyte source-monday read {n} and monday.com's JS SDK read me, {len(js_read['items'])} boards' items, "
          f"{len(js_read['users'])} users and {len(js_read['teams'])} teams: all equal to the ground truth")
    return 0


if __name__ == "__main__":
    sys.exit(main())
