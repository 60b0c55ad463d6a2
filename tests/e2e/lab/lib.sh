# Shared by the live lab tests (sourced): prerequisites, starting the lab when it is not
# running, and cutting a test's slice of the lab's audit log once auditd has written all of it.
# Expects ROOT, DOCKER and STATE to be set by the caller.

# A missing prerequisite skips the test, except in CI, where it fails.
lab_skip() {
  echo "SKIP: $1"
  if [ "${CI:-}" = true ]; then echo "FAIL: CI must run this lab test"; exit 1; fi
  exit 0
}

lab_require() {
  [ "$(id -u)" = 0 ] || lab_skip "needs root"
  command -v auditctl >/dev/null || lab_skip "no auditctl (scripts/install-deps --lab)"
  [ -x /usr/sbin/dockerd ] || lab_skip "docker.io is not installed (scripts/install-deps --lab)"
  command -v python3 >/dev/null || lab_skip "python3 needed to read the log"
}

# lab_ensure_up WORKDIR: starts the lab unless its auditd and dockerd answer; sets
# started_lab=1 when it did (the caller's cleanup then takes it down).
lab_ensure_up() {
  if ! [ -s "$STATE/auditd.pid" ] || ! kill -0 "$(cat "$STATE/auditd.pid")" 2>/dev/null ||
     ! "$DOCKER" version >/dev/null 2>&1; then
    "$ROOT/scripts/lab" up >"$1/up.log" 2>&1 || { cat "$1/up.log"; echo "FAIL: lab up"; exit 1; }
    started_lab=1
    echo "note: the lab was not running: started it for this test (taken down at the end)"
  fi
}

# lab_session PREFIX: a fresh work directory in $work, the lab started when it is not running,
# and on exit the work directory removed and the lab taken down again if this session started it.
lab_session() {
  work=$(mktemp -d "/tmp/$1.XXXXXX")
  started_lab=0
  trap 'rm -rf "$work"; if [ "$started_lab" = 1 ]; then "$ROOT/scripts/lab" down >/dev/null 2>&1 || true; fi' EXIT
  lab_ensure_up "$work"
}

# lab_cut_log LOG START_OFFSET KEY OUT: copies LOG from byte START_OFFSET to OUT once auditd
# has written the removal of the rule KEY (on a busy machine auditd lags behind the kernel; the
# removal record comes after every event the rule recorded); warns after 30 s.
lab_cut_log() {
  local log=$1 off=$2 key=$3 out=$4 i
  for ((i = 0; i < 300; i++)); do
    [ "$(tail -c +$((off + 1)) "$log" | grep -ac "op=remove_rule key=\"$key\"")" -gt 0 ] && break
    sleep 0.1
  done
  tail -c +$((off + 1)) "$log" >"$out"
  grep -aq "op=remove_rule key=\"$key\"" "$out" ||
    echo "warning: auditd has not written the rule removal after 30 s; the log may be incomplete"
}
