#!/usr/bin/env python3
"""tocsin's Dockerfile parse errors (DF000) against the reference: dockerd 20.10's own parser.

`docker build` (BuildKit, the Debian /usr/bin/docker 20.10 client, an empty context,
`--network=none`) parses the whole Dockerfile before it does anything else: a parse error comes
back first ("dockerfile parse error", "unknown instruction", ...); a file that parses fails later,
at resolving its base image (no registry is reachable from the lab). So each file is classified
valid or invalid by the engine, and compared with whether tocsin reported DF000.

Usage (root, the lab's dockerd running; under the lab lock):
  against_dockerd.py --tocsin build-ci/tocsin [--sample N] DIR...
Every file with DF000 is checked, plus a seeded sample of N files without it.
"""
import argparse
import json
import os
import random
import re
import subprocess
import tempfile

DOCKER = os.environ.get("TOCSIN_LAB_DOCKER", "/usr/bin/docker")
# What BuildKit's dockerfile frontend (moby 20.10) says when the file itself is wrong.
PARSE = re.compile(r"dockerfile parse error|unknown instruction|failed to parse|parse error|"
                   r"Dockerfile cannot be empty|file with no instructions|failed to process|"
                   r"requires (at least|exactly|either)|unknown flag|unexpected|invalid reference format|"
                   r"is not a valid|must be|no build stage|cannot be empty|empty continuation|"
                   r"unterminated|heredoc|invalid (field|argument|stage|containerPort|escape|mount)|"
                   r"not supported|failed to create LLB definition", re.I)
# What it says once the file parsed: the base image cannot be fetched.
LATER = re.compile(r"failed to (resolve|solve with frontend dockerfile.v0: failed to (build LLB|solve))|"
                   r"pull access denied|failed to do request|dial tcp|lookup .* on|no such host|"
                   r"not found: manifest unknown|repository does not exist|failed to load cache key|"
                   r"error getting credentials|i/o timeout|server misbehaving|network is unreachable|"
                   r"docker.io/library/.*: not found|failed to copy|failed to compute cache key", re.I)


def engine_verdict(path, ctx):
    """valid | needs-args | invalid | unknown, and the engine's last line. A file that got as far
    as resolving its base image parsed (the frontend converts the whole file to LLB first, and
    the conversion asks the registry for the image config)."""
    env = dict(os.environ, DOCKER_BUILDKIT="1")
    r = subprocess.run([DOCKER, "build", "--network=none", "-q", "-f", path, ctx], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
    err = r.stderr.strip()
    if r.returncode == 0:
        return "valid", "built"
    last = [l for l in err.splitlines() if l.strip()]
    msg = last[-1] if last else ""
    if LATER.search(err):
        return "valid", msg
    if re.search(r"base name .* should not be blank", err):
        return "needs-args", msg  # FROM $ARG without a default: builds with --build-arg
    if PARSE.search(err):
        return "invalid", msg
    return "unknown", msg


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tocsin", required=True)
    ap.add_argument("--sample", type=int, default=200)
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("dirs", nargs="+")
    a = ap.parse_args()
    r = subprocess.run([a.tocsin, "scan", "--no-config", "--select", "DF000", "--format", "json", *a.dirs],
                       stdout=subprocess.PIPE, text=True)
    doc = json.loads(r.stdout)
    with_error = sorted({f["file"] for f in doc["findings"] if f["rule"] == "DF000"})
    claimed = []
    for d in a.dirs:
        for root, _, files in os.walk(d):
            for f in files:
                p = os.path.join(root, f)
                if "ockerfile" in f or f.endswith(".Dockerfile") or f == "Containerfile":
                    claimed.append(p)
    skipped = {n["file"] for n in doc.get("notes", [])}
    without = sorted(set(claimed) - set(with_error) - skipped)
    random.Random(a.seed).shuffle(without)
    sample = without[: a.sample]
    ctx = tempfile.mkdtemp(prefix="tocsin-parse-ctx-")
    counts = {}
    for group, files in (("DF000", with_error), ("no DF000", sample)):
        for p in files:
            v, msg = engine_verdict(p, ctx)
            counts[(group, v)] = counts.get((group, v), 0) + 1
            # Every DF000 file (the verdict is the evidence), and the clean files dockerd rejects.
            if group == "DF000" or v not in ("valid", "needs-args"):
                print(json.dumps({"file": p, "tocsin": group, "dockerd": v, "message": msg[:300]}), flush=True)
    os.rmdir(ctx)
    print(json.dumps({"summary": {f"{g}/{v}": n for (g, v), n in sorted(counts.items())},
                      "df000_files": len(with_error), "sampled_clean_files": len(sample)}))


if __name__ == "__main__":
    main()
