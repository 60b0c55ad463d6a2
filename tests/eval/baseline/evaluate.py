#!/usr/bin/env python3
"""Evaluates the AU010 baseline end to end with the real binary.

Generates a clean history month and an independent test month with injected anomalies
(gen_copies.py), trains `tocsin baseline train` on the history, runs
`tocsin hunt --baseline MODEL --baseline-threshold 0` on the test month (every copy comes back
scored), joins the scores with the generator's truth by the client's event id, and prints
precision, recall and false alerts at several thresholds as Markdown.

  evaluate.py --tocsin build/tocsin --work /tmp/bl-eval [--history-seed 7 --month-seed 8]
Python 3 standard library only.
"""
import argparse
import collections
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd, ok=(0,)):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode not in ok:
        sys.exit(f"{' '.join(cmd)}: exit {p.returncode}\n{p.stderr}")
    return p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tocsin", required=True)
    ap.add_argument("--work", default="/tmp/tocsin-baseline-eval")
    ap.add_argument("--history-seed", type=int, default=7)
    ap.add_argument("--month-seed", type=int, default=8)
    ap.add_argument("--history-start", default="2026-09-01")
    ap.add_argument("--month-start", default="2026-10-01")
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--per-kind", type=int, default=4)
    ap.add_argument("--thresholds", default="0.5,0.6,0.7,0.8,0.9")
    ap.add_argument("--json", help="also write the numbers here")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    gen = os.path.join(HERE, "gen_copies.py")
    hist = os.path.join(args.work, "history.log")
    month = os.path.join(args.work, "month.log")
    truth_p = os.path.join(args.work, "month.truth.json")
    model = os.path.join(args.work, "copies.baseline")
    run([sys.executable, gen, "--seed", str(args.history_seed), "--start", args.history_start,
         "--days", str(args.days), "--out", hist])
    run([sys.executable, gen, "--seed", str(args.month_seed), "--start", args.month_start, "--days", str(args.days),
         "--anomalies", "--per-kind", str(args.per_kind), "--out", month, "--truth", truth_p])
    # The generator's working hours and odd hours are UTC: count them in UTC on any machine.
    tr = run([args.tocsin, "baseline", "train", "--timezone", "UTC", hist, "-o", model])
    hunt = run([args.tocsin, "hunt", "--baseline", model, "--baseline-threshold", "0", "--format", "jsonl",
                month, "--select", "AU001"], ok=(0, 1))
    truth = json.load(open(truth_p))
    scores = {}
    reasons = {}
    for line in hunt.stdout.splitlines():
        a = json.loads(line)
        if a.get("rule") == "AU010" and a.get("event_ids"):
            scores[a["event_ids"][0]] = a["score"]
            reasons[a["event_ids"][0]] = a["message"]
    copies = truth["copies"]
    missing = [c for c in copies if c["event_id"] not in scores]
    routine = [c for c in copies if not c["anomaly"]]
    anomalous = [c for c in copies if c["anomaly"]]
    days = truth["days"]
    res = {"history_seed": args.history_seed, "month_seed": args.month_seed, "copies": len(copies),
           "routine": len(routine), "anomalous": len(anomalous), "unscored": len(missing), "train": tr.stderr.strip(),
           "thresholds": []}
    for th in [float(x) for x in args.thresholds.split(",")]:
        tp = sum(1 for c in anomalous if scores.get(c["event_id"], 0) >= th)
        fp = sum(1 for c in routine if scores.get(c["event_id"], 0) >= th)
        per_kind = collections.defaultdict(lambda: [0, 0])
        incidents = collections.defaultdict(lambda: [0, 0])
        for c in anomalous:
            hit = scores.get(c["event_id"], 0) >= th
            per_kind[c["anomaly"]][0] += hit
            per_kind[c["anomaly"]][1] += 1
            key = c["burst"] or c["event_id"]
            incidents[key][0] = max(incidents[key][0], int(hit))
            incidents[key][1] = 1
        inc_hit = sum(v[0] for v in incidents.values())
        res["thresholds"].append({
            "threshold": th, "tp": tp, "fp": fp, "fn": len(anomalous) - tp,
            "precision": tp / (tp + fp) if tp + fp else 1.0, "recall": tp / len(anomalous) if anomalous else 1.0,
            "incident_recall": inc_hit / len(incidents) if incidents else 1.0,
            "false_per_day": fp / days, "false_per_1000": 1000 * fp / len(routine) if routine else 0.0,
            "per_kind": {k: v for k, v in sorted(per_kind.items())}})
    fps = sorted(((scores.get(c["event_id"], 0), c) for c in routine), key=lambda x: -x[0])[:5]
    res["top_routine"] = [{"score": s, "who": c["who"], "node": c["node"], "message": reasons.get(c["event_id"], "")}
                          for s, c in fps]
    lows = sorted(((scores.get(c["event_id"], 0), c) for c in anomalous), key=lambda x: x[0])[:5]
    res["lowest_anomalies"] = [{"score": s, "kind": c["anomaly"], "message": reasons.get(c["event_id"], "")}
                               for s, c in lows]
    print(f"history seed {args.history_seed}, month seed {args.month_seed}: {len(copies)} copies in the test month "
          f"({len(routine)} routine, {len(anomalous)} injected anomalous in "
          f"{len({c['burst'] or c['event_id'] for c in anomalous})} incidents), {len(missing)} not scored\n")
    print("| threshold | TP | FP | FN | precision | recall | incident recall | false alerts/day | false per 1,000 routine |")
    print("|---|---|---|---|---|---|---|---|---|")
    for t in res["thresholds"]:
        print(f"| {t['threshold']:.2f} | {t['tp']} | {t['fp']} | {t['fn']} | {t['precision']:.3f} | {t['recall']:.3f} | "
              f"{t['incident_recall']:.3f} | {t['false_per_day']:.2f} | {t['false_per_1000']:.2f} |")
    print("\nrecall per kind: " + "; ".join(
        f"{t['threshold']:.2f}: " + ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in t["per_kind"].items())
        for t in res["thresholds"]))
    print("\nhighest-scoring routine copies:")
    for x in res["top_routine"]:
        print(f"  {x['score']:.2f} {x['who']} {x['node']}: {x['message']}")
    print("lowest-scoring anomalies:")
    for x in res["lowest_anomalies"]:
        print(f"  {x['score']:.2f} {x['kind']}: {x['message']}")
    if args.json:
        json.dump(res, open(args.json, "w"), indent=1)


if __name__ == "__main__":
    main()
