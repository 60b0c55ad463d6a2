#!/usr/bin/env python3
"""Agreement of tocsin with peer linters' labelled fixtures, where a rule overlaps.

The peers' fixture files are not part of this repository (house rule: facts from other projects,
not their files). Fetch them into a directory laid out as

  PEERS/kube-linter/<check>.yml        stackrox/kube-linter tests/checks/<check>.yml
  PEERS/kics/<query>/{positive,negative}*.yaml   Checkmarx/kics assets/queries/.../test/
  PEERS/hadolint/<DLxxxx>-<case>.Dockerfile + labels.json   hadolint test/Hadolint/Rule/DLxxxxSpec.hs

and run `agreement.py --tocsin build/tocsin PEERS`. Labels follow each peer's own convention:
kube-linter objects named `dont-fire` must not fire, every other object must; KICS files named
positive* must fire (every Kubernetes document in them), negative* must not; hadolint cases are
`ruleCatches` (positive) or `ruleCatchesNot` (negative).

Each peer rule is mapped to the tocsin finding that means the same thing (MAPPING below); a unit
(a document, or a whole Compose/Dockerfile file) agrees when tocsin reports that finding on it
exactly when the peer's label says so. Prints one line per disagreement and a table.
"""
import argparse
import collections
import json
import os
import re
import subprocess
import sys

# peer rule -> (tocsin rule, a regex the finding's message must match, or None)
MAPPING = {
    ("kube-linter", "privileged-container"): ("K8011", r"is privileged"),
    ("kube-linter", "host-pid"): ("K8011", r"hostPID"),
    ("kube-linter", "host-ipc"): ("K8011", r"hostIPC"),
    ("kube-linter", "docker-sock"): ("K8003", r"runtime socket"),
    ("kube-linter", "container-runtime-sock"): ("K8003", r"runtime socket"),
    ("kube-linter", "sensitive-host-mounts"): ("K8003", r"sensitive node path"),
    ("kube-linter", "writable-host-mount"): ("K8003", r"writable"),
    ("kube-linter", "run-as-non-root"): ("K8010", None),
    ("kube-linter", "privilege-escalation-container"): ("K8006", None),
    ("kube-linter", "no-read-only-root-fs"): ("K8005", None),
    ("kics", "k8s_container_is_privileged"): ("K8011", r"is privileged"),
    ("kics", "k8s_shared_host_pid_namespace"): ("K8011", r"hostPID"),
    ("kics", "volume_has_sensitive_host_directory"): ("DC002", None),
    ("kics", "shared_volumes_between_containers"): ("DC005", None),
    ("kics", "privileged_containers_enabled"): ("DC007", r"privileged"),
    ("kics", "docker_socket_mounted_in_container"): ("DC003", None),
    ("hadolint", "DL3002"): ("DF013", None),
    ("hadolint", "DL3000"): ("DF004", None),
}


def documents(text):
    """Line ranges [first, last] of the YAML documents of a file (split at `---` lines)."""
    lines = text.split("\n")
    docs, start = [], 1
    for i, l in enumerate(lines, 1):
        if re.match(r"^---\s*$", l):
            if i > start:
                docs.append((start, i - 1))
            start = i + 1
    if start <= len(lines):
        docs.append((start, len(lines)))
    # only documents with content
    return [(a, b) for a, b in docs if any(lines[k - 1].strip() and not lines[k - 1].lstrip().startswith("#")
                                           for k in range(a, b + 1))]


def scan(tocsin, path, rule, kind_name):
    # Name the file so that tocsin claims it as the peer meant it (KICS compose tests are
    # positiveN.yaml: a Compose file by content; Dockerfiles by their .Dockerfile suffix).
    r = subprocess.run([tocsin, "scan", "--no-config", "--select", rule, "--format", "json", path],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode == 2:
        raise SystemExit(f"tocsin failed on {path}: {r.stderr}")
    doc = json.loads(r.stdout)
    return doc["findings"], doc.get("notes", []), doc["files_scanned"]


def units(peers):
    """(peer, peer_rule, path, (first,last) or None, positive, name)."""
    out = []
    kl = os.path.join(peers, "kube-linter")
    if os.path.isdir(kl):
        for f in sorted(os.listdir(kl)):
            path = os.path.join(kl, f)
            text = open(path).read()
            lines = text.split("\n")
            for a, b in documents(text):
                name = next((re.sub(r"^\s*name:\s*", "", lines[k - 1]).strip() for k in range(a, b + 1)
                             if re.match(r"^  name:", lines[k - 1])), "?")
                kind = next((lines[k - 1].split(":", 1)[1].strip() for k in range(a, b + 1)
                             if lines[k - 1].startswith("kind:")), "?")
                out.append(("kube-linter", f.rsplit(".", 1)[0], path, (a, b), name != "dont-fire", f"{kind}/{name}"))
    kics = os.path.join(peers, "kics")
    if os.path.isdir(kics):
        for q in sorted(os.listdir(kics)):
            for f in sorted(os.listdir(os.path.join(kics, q))):
                path = os.path.join(kics, q, f)
                pos = f.startswith("positive")
                if q.startswith("k8s_"):
                    for a, b in documents(open(path).read()):
                        out.append(("kics", q, path, (a, b), pos, f"{f}:{a}"))
                else:
                    out.append(("kics", q, path, None, pos, f))
    hl = os.path.join(peers, "hadolint")
    if os.path.isdir(hl):
        for e in json.load(open(os.path.join(hl, "labels.json"))):
            out.append(("hadolint", e["peer_rule"], os.path.join(hl, e["file"]), None, e["positive"], e["file"]))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tocsin", required=True)
    ap.add_argument("peers")
    a = ap.parse_args()
    table = collections.OrderedDict()
    cache = {}
    for peer, prule, path, rng, pos, name in units(a.peers):
        rule, pattern = MAPPING[(peer, prule)]
        key = (path, rule)
        if key not in cache:
            cache[key] = scan(a.tocsin, path, rule, name)
        findings, notes, scanned = cache[key]
        hit = any(f["rule"] == rule and (pattern is None or re.search(pattern, f["message"])) and
                  (rng is None or rng[0] <= f["line"] <= rng[1]) for f in findings)
        t = table.setdefault((peer, prule, rule), collections.Counter())
        t["n"] += 1
        agree = hit == pos
        t["agree"] += agree
        if not agree:
            why = f"tocsin {'reports' if hit else 'does not report'} {rule}; the peer labels it {'positive' if pos else 'negative'}"
            if not scanned:
                why += f" (not scanned: {'; '.join(n['message'] for n in notes) or 'no kind'})"
            print(f"DISAGREE {peer} {prule} {os.path.relpath(path, a.peers)} {name}: {why}")
    total = collections.Counter()
    print(f"\n{'peer':12} {'peer rule':40} {'tocsin':7} {'units':>5} {'agree':>5} {'%':>6}")
    for (peer, prule, rule), t in table.items():
        print(f"{peer:12} {prule:40} {rule:7} {t['n']:5} {t['agree']:5} {100.0 * t['agree'] / t['n']:6.1f}")
        total["n"] += t["n"]
        total["agree"] += t["agree"]
    print(f"{'all':12} {'':40} {'':7} {total['n']:5} {total['agree']:5} {100.0 * total['agree'] / max(1, total['n']):6.1f}")


if __name__ == "__main__":
    main()
