#!/usr/bin/env python3
"""Writes a `git fast-import` stream of a large, realistic history to stdout.

The first commits import text files from /usr/include and /usr/share (their
paths kept); thousands of later commits edit, rename, delete and re-add
files, with topic branches merged back and annotated release tags, until the
distinct blob content reaches TARGET_BYTES. A few synthetic GitHub-style
tokens (random, not real) are planted so a scanner has something to find.
Deterministic for a given TARGET_BYTES.

usage: gen_git_history.py TARGET_BYTES [MIN_COMMITS] | git fast-import --quiet

With MIN_COMMITS, commits touch 1-4 files each (a typical project's rhythm)
instead of 5-60, and the history goes on until both targets are reached.
"""
import os
import random
import re
import string
import sys

TARGET = int(sys.argv[1])
MIN_COMMITS = int(sys.argv[2]) if len(sys.argv) > 2 else 0
SMALL = (1, 4) if MIN_COMMITS else (5, 60)
rng = random.Random(20260102)
out = sys.stdout.buffer
SAFE = re.compile(rb'^[A-Za-z0-9._+/-]+$')
WORDS = (b'alpha beta gamma delta config value return static const struct '
         b'buffer handle option default result error status index count '
         b'update merge parse render token cache queue stream').split()


def candidates(budget):
    files = []
    for root in ('/usr/include', '/usr/share'):
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for name in sorted(filenames):
                p = os.path.join(dirpath, name)
                if os.path.islink(p) or not SAFE.match(p.encode()):
                    continue
                try:
                    size = os.path.getsize(p)
                except OSError:
                    continue
                if 64 <= size <= 256 * 1024:
                    files.append(p)
    rng.shuffle(files)
    picked, total = [], 0
    for p in files:
        if total >= budget:
            break
        try:
            with open(p, 'rb') as f:
                data = f.read()
        except OSError:
            continue
        if b'\0' in data[:8000]:
            continue
        picked.append((p.lstrip('/'), data))
        total += len(data)
    return picked


def token():
    alnum = string.ascii_letters + string.digits
    return 'ghp_' + ''.join(rng.choice(alnum) for _ in range(36))


def edit(data, plant=None):
    lines = data.split(b'\n')
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(lines) + 1)
        op = rng.random()
        line = b' '.join(rng.choice(WORDS) for _ in range(rng.randint(2, 9)))
        if op < 0.5:
            lines.insert(i, line)
        elif op < 0.8 and lines:
            lines[min(i, len(lines) - 1)] = line
        elif len(lines) > 3:
            del lines[min(i, len(lines) - 1)]
    if plant:
        lines.insert(rng.randrange(len(lines) + 1),
                     b'GITHUB_TOKEN=' + plant.encode())
    return b'\n'.join(lines)


class Writer:
    def __init__(self):
        self.mark = 0
        self.time = 1577836800  # 2020-01-01
        self.blob_bytes = 0
        self.commits = 0

    def commit(self, ref, msg, parent, merge, changes, who='Dev One'):
        self.mark += 1
        self.time += rng.randint(600, 7200)
        self.commits += 1
        email = who.lower().replace(' ', '.') + '@bench.test'
        msgb = msg.encode()
        w = out.write
        w(b'commit %s\nmark :%d\n' % (ref.encode(), self.mark))
        w(b'author %s <%s> %d +0000\n' % (who.encode(), email.encode(), self.time))
        w(b'committer %s <%s> %d +0000\n' % (who.encode(), email.encode(), self.time))
        w(b'data %d\n%s\n' % (len(msgb), msgb))
        if parent:
            w(b'from :%d\n' % parent)
        if merge:
            w(b'merge :%d\n' % merge)
        for c in changes:
            if c[0] == 'M':
                w(b'M 100644 inline %s\ndata %d\n' % (c[1].encode(), len(c[2])))
                w(c[2])
                w(b'\n')
                self.blob_bytes += len(c[2])
            elif c[0] == 'D':
                w(b'D %s\n' % c[1].encode())
            elif c[0] == 'R':
                w(b'R %s %s\n' % (c[1].encode(), c[2].encode()))
        w(b'\n')
        return self.mark

    def tag(self, name, mark):
        msg = b'release ' + name.encode()
        out.write(b'tag %s\nfrom :%d\ntagger Release Bot <release@bench.test> %d +0000\n'
                  b'data %d\n%s\n' % (name.encode(), mark, self.time, len(msg), msg))


def main():
    base = candidates(min(TARGET // 5, 250 << 20))
    state = {}          # path -> content on main
    pool = list(base)   # files not yet imported
    wr = Writer()
    head = None
    authors = ['Dev One', 'Dev Two', 'Ops Three', 'Intern Four', 'Lead Five']
    # Import phase: the snapshot arrives in batches.
    while pool and wr.blob_bytes < TARGET // 5:
        batch, pool = pool[:300], pool[300:]
        changes = [('M', p, d) for p, d in batch]
        for p, d in batch:
            state[p] = d
        head = wr.commit('refs/heads/main', 'import %d files' % len(batch),
                         head, None, changes, rng.choice(authors))
    planted = 0
    n = 0
    while wr.blob_bytes < TARGET or wr.commits < MIN_COMMITS:
        n += 1
        paths = list(state)
        if n % 150 == 0:
            # A topic branch of a few commits, merged back with --no-ff.
            topic = 'refs/heads/topic-%d' % (n // 150)
            tip, touched = head, {}
            for k in range(rng.randint(2, 6)):
                changes = []
                for p in rng.sample(paths, min(len(paths), rng.randint(3, 20))):
                    touched[p] = edit(touched.get(p, state[p]))
                    changes.append(('M', p, touched[p]))
                tip = wr.commit(topic, 'topic work %d.%d' % (n, k), tip, None,
                                changes, rng.choice(authors))
            state.update(touched)
            head = wr.commit('refs/heads/main', 'Merge topic %d' % (n // 150),
                             head, tip, [('M', p, d) for p, d in touched.items()],
                             'Lead Five')
            continue
        changes = []
        for p in rng.sample(paths, min(len(paths), rng.randint(*SMALL))):
            plant = None
            if planted < 25 and rng.random() < 0.002:
                plant = token()
                planted += 1
            state[p] = edit(state[p], plant)
            changes.append(('M', p, state[p]))
        r = rng.random()
        if r < 0.05 and paths:  # rename a file into a sibling directory
            p = rng.choice(paths)
            if p not in {c[1] for c in changes}:
                new = os.path.join(os.path.dirname(p), 'moved', os.path.basename(p))
                if new not in state:
                    changes.append(('R', p, new))
                    state[new] = state.pop(p)
        elif r < 0.08 and len(paths) > 100:  # delete a few files
            for p in rng.sample(paths, 3):
                if p in state and p not in {c[1] for c in changes}:
                    changes.append(('D', p))
                    del state[p]
        elif r < 0.12 and pool:  # add files not imported yet
            batch, pool = pool[:10], pool[10:]
            for p, d in batch:
                if p not in state:
                    state[p] = d
                    changes.append(('M', p, d))
        head = wr.commit('refs/heads/main', 'change %d' % n, head, None,
                         changes, rng.choice(authors))
        if n % 400 == 0:
            wr.tag('v%d' % (n // 400), head)
    sys.stderr.write('generated %d commits, %d MB of blobs, %d planted tokens\n'
                     % (wr.commits, wr.blob_bytes >> 20, planted))


main()
