#!/usr/bin/env python3
"""Builds the seed corpora of the fuzz targets at run time, from the project's fixtures and the
shared real-world corpus (../shared/corpus): nothing of either is copied into the repository.

Usage: fuzz/seeds.py OUT_DIR [--max N]
  OUT_DIR/<target>/ gets the seeds of each target (OUT_DIR is emptied first), named by the
  SHA-1 of their content as libFuzzer names its own (so duplicates collapse). Inputs over
  64 KiB are cut at line boundaries into pieces (the first eight). With --max, each target keeps
  at most N seeds, taken evenly from the sorted list (the CI smoke samples; long runs take all).
"""
import argparse
import gzip
import hashlib
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
MAX_SEED = 64 * 1024
PIECE = 16 * 1024


def read(path):
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(data)
        except (OSError, EOFError):
            return data
    return data


def pieces(data):
    """The data whole when small, else up to eight pieces of about PIECE bytes cut after a newline."""
    if len(data) <= MAX_SEED:
        return [data]
    out, start = [], 0
    while start < len(data) and len(out) < 8:
        end = data.rfind(b"\n", start, start + PIECE)
        end = start + PIECE if end < 0 else end + 1
        out.append(data[start:end])
        start = end
    return out


def glob(*patterns):
    files = []
    for p in patterns:
        base = CORPUS if p.startswith("corpus/") else ROOT
        rel = p[len("corpus/"):] if p.startswith("corpus/") else p
        files += sorted(f for f in base.glob(rel) if f.is_file())
    return files


def seeds_for():
    t = {}
    t["dockerfile_fuzz"] = glob("tests/rules/*.Dockerfile", "examples/dockerfile/*", "corpus/dockerfiles/**/*Dockerfile*")
    shell = glob("tests/rules/SH001-script.sh", "tests/rules/SH001-ci/*", "examples/scripts/*", "corpus/dockerfiles/**/*.sh")
    # The RUN bodies of the Dockerfile fixtures, as scripts.
    runs = [b"\n".join(l[4:] for l in f.read_bytes().splitlines() if l.startswith(b"RUN "))
            for f in glob("tests/rules/*.Dockerfile")]
    t["shell_fuzz"] = shell + [r for r in runs if r]
    compose = glob("tests/rules/DC*.yaml", "examples/compose/*", "corpus/compose/**/*.yml", "corpus/compose/**/*.yaml")
    k8s = glob("tests/rules/K8*.yaml", "examples/kubernetes/*", "corpus/k8s/**/*.yml", "corpus/k8s/**/*.yaml")
    t["compose_fuzz"] = compose
    t["k8s_fuzz"] = k8s
    t["yaml_fuzz"] = compose + k8s
    readme = (ROOT / "README.md").read_text()
    t["config_fuzz"] = [m.encode() for m in re.findall(r"```yaml\n(.*?)```", readme, re.S) if "rules:" in m] + [
        b"fail-on: high\nmin-severity: low\nrules:\n  only: [DF001, DC003]\n  disable: [DF013, K8010]\n"
        b"  severity: {DF003: low, AU001: critical}\nignore-paths: [vendor/, \"**/testdata/**\", \"*.tmp\"]\n",
        b"rules: {}\n",
        b"fail-on: [x]\nrules: 3\n",
    ]
    audit = glob("tests/rules/AU*.log", "tests/data/audit/*.log", "tests/e2e/recordings/*.log.gz", "corpus/audit/**/*.log")
    t["audit_text_fuzz"] = audit
    t["hunt_fuzz"] = audit
    # Every JSON flavour gets every JSON file: the mapping must reject the others' cleanly.
    json = glob("tests/data/audit/*.ndjson", "tests/data/audit/*.json", "tests/data/audit/*.jsonl",
                "corpus/audit/**/*.json.golden")
    for flavor in ("es_export", "laurel", "auditbeat"):
        t[f"json_{flavor}_fuzz"] = json
    one = gzip.compress(b"type=SYSCALL msg=audit(1.0:1): syscall=59\n", mtime=0)
    two = one + gzip.compress(b"type=EOE msg=audit(1.0:1):\n", mtime=0)
    corrupt = bytearray(one)
    corrupt[15:17] = b"\xff\xff"
    t["gzip_fuzz"] = [one, two, two[:30], one + b"garbage", bytes(corrupt)] + [
        f.read_bytes()[:MAX_SEED] for f in glob("tests/e2e/recordings/*.log.gz")]
    models = glob("tests/rules/*.model")
    t["baseline_model_fuzz"] = models + [b"\n".join(f.read_bytes().splitlines()[:n]) + b"\n"
                                         for f in models for n in (3, 10, 30)]
    t["docker_api_fuzz"] = glob("tests/rules/RT*.json") + [
        b'{"status":"start","id":"9d0c2f1b7e4a","from":"alpine","Type":"container","Action":"start",'
        b'"Actor":{"ID":"9d0c2f1b7e4a","Attributes":{"image":"alpine","name":"web"}},"scope":"local",'
        b'"time":1795332882,"timeNano":1795332882690123456}',
        b'HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nTransfer-Encoding: chunked\r\n\r\n'
        b'1a\r\n{"Id":"ab","Mounts":[]}\n\r\n0\r\n\r\n',
    ]
    return t


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--max", type=int, default=0)
    args = ap.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"fuzz/seeds.py: {CORPUS} is missing (the shared corpus sits beside the checkout)")
    shutil.rmtree(args.out, ignore_errors=True)
    for target, items in seeds_for().items():
        blobs = {}
        for item in items:
            for piece in pieces(read(item) if isinstance(item, Path) else item):
                blobs[hashlib.sha1(piece).hexdigest()] = piece
        names = sorted(blobs)
        if args.max and len(names) > args.max:
            names = [names[i * len(names) // args.max] for i in range(args.max)]
        d = args.out / target
        d.mkdir(parents=True)
        for n in names:
            (d / n).write_bytes(blobs[n])
        print(f"{target} {len(names)}")


if __name__ == "__main__":
    main()
