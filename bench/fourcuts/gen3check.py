#!/usr/bin/env python3
"""gen3check.py TRUTH REJECTS — each malformed line gen3 wrote appears exactly once in REJECTS, and nothing else."""
import json, os, sys, collections
bad = [json.loads(l) for l in open(sys.argv[1] + ".bad")]
rej = collections.Counter()
for l in open(sys.argv[2]):
    o = json.loads(l)
    rej[(os.path.basename(o["file"]), o["line"])] += 1
want = {(b["file"], b["line"]): b["kind"] for b in bad}
missing = [(k, v) for k, v in want.items() if rej[k] == 0]
dup = [(k, rej[k]) for k in want if rej[k] > 1]
extra = [k for k in rej if k not in want]
print("malformed %d, rejected %d, missing %d, duplicated %d, unexpected %d" % (len(want), sum(rej.values()), len(missing), len(dup), len(extra)))
for m in missing[:10]: print("  missing", m)
for m in dup[:10]: print("  dup", m)
for m in extra[:10]: print("  unexpected", m)
