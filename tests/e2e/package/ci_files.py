#!/usr/bin/env python3
"""Runs what action.yml and .pre-commit-hooks.yaml declare (see package_ci_files.test.sh)."""
import json
import os
import re
import shlex
import subprocess
import sys

import yaml

tocsin, root, work = sys.argv[1:4]
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


# --- the composite action -------------------------------------------------------------------
EXPR = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")


def run_action(inputs, cwd, path_env=None):
    """Runs the action's shell steps like the runner: env from GITHUB_ENV, outputs from GITHUB_OUTPUT."""
    action = yaml.safe_load(open(os.path.join(root, "action.yml")))
    check(action["runs"]["using"] == "composite", "action.yml is a composite action")
    values = {f"inputs.{k}": str(v.get("default", "")) for k, v in action["inputs"].items()}
    values.update({f"inputs.{k}": v for k, v in inputs.items()})
    values["github.action_path"] = root
    env = {**(path_env or os.environ), "RUNNER_TEMP": work}
    results = {}
    for step in action["runs"]["steps"]:
        def subst(text):
            def one(m):
                e = m.group(1)
                if e in values:
                    return values[e]
                if e.startswith("steps."):
                    _, sid, _, key = e.split(".")
                    return results.get(sid, {}).get(key, "")
                raise KeyError(f"expression the test cannot evaluate: {e}")
            return EXPR.sub(one, str(text))
        if "uses" in step:
            # Cannot run without GitHub: check what it would upload.
            check(step["uses"].startswith("github/codeql-action/upload-sarif@"), "upload step uses github/codeql-action/upload-sarif")
            uploaded = os.path.join(cwd, subst(step["with"]["sarif_file"]))
            check("always()" in step.get("if", ""), "upload runs even when an earlier step failed")
            continue
        check(step.get("shell") == "bash", f"step '{step['name']}' declares shell bash")
        genv, gout = os.path.join(work, "github_env"), os.path.join(work, "github_output")
        open(genv, "w").close(), open(gout, "w").close()
        step_env = {**env, **{k: subst(v) for k, v in step.get("env", {}).items()},
                    "GITHUB_ENV": genv, "GITHUB_OUTPUT": gout}
        # The runner's bash: bash --noprofile --norc -eo pipefail {0}
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", subst(step["run"])],
                              cwd=cwd, env=step_env, capture_output=True, text=True)
        for line in open(genv):
            k, _, v = line.rstrip("\n").partition("=")
            env[k] = v
        outputs = dict(l.rstrip("\n").partition("=")[::2] for l in open(gout) if "=" in l)
        results[step.get("id", step["name"])] = outputs
        last = proc.returncode
        if proc.returncode != 0:
            print(f"     step '{step['name']}' exit {proc.returncode}: {proc.stderr.strip()[-300:]}")
            break   # later steps would be skipped on the runner (the upload's always() aside)
    return last, results, uploaded


code, results, sarif_path = run_action({"tocsin": tocsin}, os.path.join(work, "examples"))
check(results.get("scan", {}).get("exit-code") == "1", f"action: scan of examples/ exit-code output is 1 ({results.get('scan')})")
check(code == 1, f"action: the job fails on the findings (last step exit {code})")
sarif = json.load(open(sarif_path))
check(sarif.get("version") == "2.1.0" and len(sarif["runs"][0]["results"]) > 0, f"action: {os.path.basename(sarif_path)} holds SARIF 2.1.0 results")
schema = "/var/cache/tocsin/sarif-2.1.0-rtm.5.json"
if os.path.exists(schema):
    import jsonschema
    jsonschema.validate(sarif, json.load(open(schema)))
    check(True, "action: the uploaded file is valid against the SARIF 2.1.0 schema")
else:
    check(os.environ.get("CI") != "true", "SARIF schema present (scripts/install-deps fetches it)")
    print("note: no SARIF schema here, not validated")
# tocsin on PATH (as after installing the .deb), input empty: the action uses that one.
bindir = os.path.join(work, "bin")
os.makedirs(bindir, exist_ok=True)
os.symlink(tocsin, os.path.join(bindir, "tocsin"))
path_env = {**os.environ, "PATH": bindir + ":" + os.environ["PATH"]}
code, results, _ = run_action({"args": "--fail-on high"}, os.path.join(work, "clean"), path_env)
check(code == 0 and results["scan"]["exit-code"] == "0", f"action: tocsin from PATH, a clean directory passes ({code}, {results.get('scan')})")

# --- the pre-commit hook --------------------------------------------------------------------
hooks = yaml.safe_load(open(os.path.join(root, ".pre-commit-hooks.yaml")))
check(len(hooks) >= 1, ".pre-commit-hooks.yaml declares hooks")
examples = os.path.join(work, "examples")
for hook in hooks:
    check(hook["language"] == "system" and hook["entry"].split()[0] == "tocsin", f"hook {hook['id']}: system hook running tocsin")
    # pre-commit passes the repository-relative names that match `files` and not `exclude`.
    names = sorted(os.path.relpath(os.path.join(d, f), examples) for d, _, fs in os.walk(examples) for f in fs)
    chosen = [n for n in names if re.search(hook.get("files", ""), n) and not re.search(hook.get("exclude", "^$"), n)]
    print(f"     hook {hook['id']}: {len(chosen)} of {len(names)} files: {' '.join(chosen)}")
    argv = shlex.split(hook["entry"]) + hook.get("args", [])
    proc = subprocess.run(argv + chosen, cwd=examples, env=path_env, capture_output=True, text=True)
    check(proc.returncode == 1, f"hook {hook['id']}: exit 1 on the examples ({proc.returncode})")
    as_hook = json.loads(subprocess.run(argv + ["--format", "json"] + chosen, cwd=examples, env=path_env,
                                        capture_output=True, text=True).stdout)
    as_dir = json.loads(subprocess.run([tocsin, "scan", "--format", "json", "."], cwd=examples,
                                       capture_output=True, text=True).stdout)
    key = lambda d: sorted((f["rule"], os.path.normpath(f["file"]), f["line"]) for f in d["findings"])
    check(as_hook["files_scanned"] == as_dir["files_scanned"], f"hook {hook['id']}: selects every file a directory scan reads ({as_hook['files_scanned']} vs {as_dir['files_scanned']})")
    check(key(as_hook) == key(as_dir) and key(as_dir), f"hook {hook['id']}: same findings as a directory scan ({len(key(as_hook))})")
    clean = subprocess.run(argv + ["Dockerfile"], cwd=os.path.join(work, "clean"), env=path_env, capture_output=True, text=True)
    check(clean.returncode == 0, f"hook {hook['id']}: a clean Dockerfile passes ({clean.returncode})")
    check(not re.search(hook.get("files", ""), "README.md"), f"hook {hook['id']}: does not pass README.md")

if failures:
    sys.exit(f"FAIL: {len(failures)} check(s) failed")
print("PASS: package_ci_files")
