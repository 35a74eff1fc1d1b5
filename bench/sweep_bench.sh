#!/bin/sh
# Sweep benchmark: generates N small repositories (default 1000) that share
# credentials from a pool of synthetic keys, then times a first sweep and a
# second (unchanged) sweep and records peak RSS and open file descriptors.
# Usage: SPRAWL=build/sprawl N=1000 COMMITS=3 bench/sweep_bench.sh [WORKDIR]
# (COMMITS: commits per repository; the repositories are generated once per
# WORKDIR, so use a fresh WORKDIR when changing N or COMMITS.)
set -eu
SPRAWL=${SPRAWL:-build/sprawl}
N=${N:-1000}
COMMITS=${COMMITS:-3}
WORK=${1:-$(mktemp -d)}
ROOT=$WORK/root
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@corp.test
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@corp.test
if [ ! -d "$ROOT" ]; then
  mkdir -p "$ROOT"
  python3 - "$ROOT" "$N" "$COMMITS" <<'PY'
import os, random, subprocess, sys
root, n, commits = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(8)
alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
keys = ["ghp_" + "".join(rnd.choice(alnum) for _ in range(36)) for _ in range(50)]
for i in range(n):
    d = os.path.join(root, f"org{i % 10}", f"repo{i:04d}")
    os.makedirs(os.path.join(d, "src"))
    for c in range(commits):  # a few files each
        with open(os.path.join(d, "README.md"), "a") as f:
            f.write(f"repo {i} change {c}\n" * 20)
        with open(os.path.join(d, "src", f"mod{c}.py"), "w") as f:
            f.write("def f():\n    return %d\n" % (i * 7 + c) * 30)
        if c == 1:
            with open(os.path.join(d, ".env"), "w") as f:
                f.write("GITHUB_TOKEN=%s\n" % keys[rnd.randrange(len(keys))])
        subprocess.run(["git", "init", "-q", "-b", "main", d] if c == 0 else ["true"], check=True)
        subprocess.run(["git", "-C", d, "add", "-A"], check=True)
        subprocess.run(["git", "-C", d, "commit", "-q", "-m", f"c{c}"], check=True)
PY
fi
DB=$WORK/sweep.db
rm -f "$DB" "$DB-wal" "$DB-shm"
for run in first second; do
  /usr/bin/time -f "$run sweep: %e s, peak RSS %M KiB" \
    "$SPRAWL" sweep --root "$ROOT" --datastore "$DB" --format json \
    --output "$WORK/$run.json" --fail-on none
  python3 - "$WORK/$run.json" <<'PY'
import collections, json, sys
d = json.load(open(sys.argv[1]))
st = collections.Counter(r["status"] for r in d["repositories"])
blobs = sum(r["blobs_scanned"] for r in d["repositories"])
reused = sum(1 for c in d["credentials"] if c["reused"])
print(f"  repositories {dict(st)}, blobs scanned {blobs}, credentials "
      f"{len(d['credentials'])} ({reused} reused)")
PY
done
ls -l "$DB"
