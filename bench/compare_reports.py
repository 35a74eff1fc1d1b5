#!/usr/bin/env python3
"""Compares two `sprawl ... --format json` reports of the same scan.

usage: bench/compare_reports.py OLD.json NEW.json

Prints, for each of credentials (by fingerprint and rule), locations (every
field of every location of every credential), references and
pipeline_findings, how many entries each side has and which are only on one
side (at most 10 of each, secrets never printed: reports hold none).
Exit status 0 when credentials and locations are identical, 1 otherwise
(references and pipeline findings are reported but do not decide it).
"""
import json
import sys


def canon(x):
    return json.dumps(x, sort_keys=True)


def load(path):
    with open(path) as f:
        return json.load(f)


def credentials(report):
    out = {}
    for c in report.get("credentials", []):
        key = canon({k: v for k, v in c.items() if k != "locations"})
        out[key] = c
    return out


def locations(report):
    out = set()
    for c in report.get("credentials", []):
        for loc in c.get("locations", []):
            out.add(canon({"fingerprint": c.get("fingerprint"), **loc}))
    return out


def show(name, old, new):
    only_old = sorted(old - new)
    only_new = sorted(new - old)
    same = not only_old and not only_new
    print(f"{name}: old {len(old)}, new {len(new)}: "
          f"{'identical' if same else 'DIFFERENT'}")
    for label, items in (("only old", only_old), ("only new", only_new)):
        for item in items[:10]:
            print(f"  {label}: {item[:300]}")
        if len(items) > 10:
            print(f"  {label}: ... {len(items) - 10} more")
    return same


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    old, new = load(sys.argv[1]), load(sys.argv[2])
    ok = show("credentials", set(credentials(old)), set(credentials(new)))
    ok = show("locations", locations(old), locations(new)) and ok
    show("references", {canon(r) for r in old.get("references", [])},
         {canon(r) for r in new.get("references", [])})
    show("pipeline_findings",
         {canon(r) for r in old.get("pipeline_findings", [])},
         {canon(r) for r in new.get("pipeline_findings", [])})
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
