# Sourced by the fleet store tests: a two-shard ClickHouse cluster of real clickhouse-server
# processes on loopback (free ports, data and config under a temp dir, one cluster
# `tocsin_fleet` behind Distributed tables), started once per test script and stopped by pid
# when the script exits, pass or fail. Expects WORK (a temp dir) to be set.

# A missing server skips the test, except in CI, where it fails.
store_require() {
  if ! [ -x "${CLICKHOUSE_SERVER:-/usr/sbin/clickhouse-server}" ]; then
    echo "SKIP: clickhouse-server is not installed (scripts/install-deps --store)"
    if [ "${CI:-}" = true ]; then echo "FAIL: CI must run the fleet store tests"; exit 1; fi
    exit 0
  fi
  command -v python3 >/dev/null || { echo "FAIL: python3 needed"; exit 1; }
  command -v curl >/dev/null || { echo "FAIL: curl needed"; exit 1; }
  command -v openssl >/dev/null || { echo "FAIL: openssl needed"; exit 1; }
}

# Six free loopback ports (HTTP, native TCP and HTTPS of each shard).
free_ports() {
  python3 -c 'import socket
ss=[socket.socket() for _ in range(6)]
for s in ss: s.bind(("127.0.0.1",0))
print(" ".join(str(s.getsockname()[1]) for s in ss))
for s in ss: s.close()'
}

# shard_config N HTTP TCP HTTPS: the config of shard N (both shards' TCP ports in remote_servers;
# HTTPS with the test's own certificate).
shard_config() {
  local n=$1 http=$2 tcp=$3 https=$4 d=$WORK/ch$1
  mkdir -p "$d/data" "$d/tmp" "$d/log" "$d/user_files"
  cat >"$d/config.xml" <<X
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$d/log/server.log</log><errorlog>$d/log/server.err.log</errorlog></logger>
  <http_port>$http</http_port>
  <tcp_port>$tcp</tcp_port>
  <https_port>$https</https_port>
  <openSSL><server><certificateFile>$WORK/tls.crt</certificateFile><privateKeyFile>$WORK/tls.key</privateKeyFile>
    <verificationMode>none</verificationMode><loadDefaultCAFile>false</loadDefaultCAFile>
    <disableProtocols>sslv2,sslv3</disableProtocols></server></openSSL>
  <listen_host>127.0.0.1</listen_host>
  <path>$d/data/</path>
  <tmp_path>$d/tmp/</tmp_path>
  <user_files_path>$d/user_files/</user_files_path>
  <format_schema_path>$d/format_schemas/</format_schema_path>
  <users_config>$d/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>67108864</mark_cache_size>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <max_concurrent_queries>32</max_concurrent_queries>
  <mlock_executable>false</mlock_executable>
  <remote_servers>
    <tocsin_fleet>
      <shard><replica><host>127.0.0.1</host><port>$TCP1</port><user>default</user><password>$STORE_PASSWORD</password></replica></shard>
      <shard><replica><host>127.0.0.1</host><port>$TCP2</port><user>default</user><password>$STORE_PASSWORD</password></replica></shard>
    </tocsin_fleet>
  </remote_servers>
</yandex>
X
  # A password, so the tests go through the credentials path (never on a command line).
  cat >"$d/users.xml" <<X
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage></default></profiles>
  <users>
    <default><password>$STORE_PASSWORD</password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
X
}

# shard_start N: starts shard N in the background and waits until it answers; PID$N is set.
shard_start() {
  local n=$1 d=$WORK/ch$1 http i
  http=$(eval echo "\$HTTP$n")
  "${CLICKHOUSE_SERVER:-/usr/sbin/clickhouse-server}" --config-file="$d/config.xml" >"$d/log/stdout" 2>&1 &
  eval "PID$n=$!"
  for ((i = 0; i < 200; i++)); do
    curl -fsS "http://127.0.0.1:$http/ping" >/dev/null 2>&1 && return 0
    kill -0 "$(eval echo "\$PID$n")" 2>/dev/null || break
    sleep 0.1
  done
  cat "$d/log/stdout" "$d/log/server.err.log" 2>/dev/null | tail -20
  echo "FAIL: clickhouse-server shard $n did not start"
  exit 1
}

# shard_stop N [SIGNAL]: stops shard N by its pid and waits for it to exit.
shard_stop() {
  local n=$1 sig=${2:-TERM} pid i
  pid=$(eval echo "\${PID$n:-}")
  [ -n "$pid" ] || return 0
  kill -CONT "$pid" 2>/dev/null || true
  kill "-$sig" "$pid" 2>/dev/null || true
  for ((i = 0; i < 150; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  eval "PID$n="
}

cluster_up() {
  read -r HTTP1 HTTP2 TCP1 TCP2 HTTPS1 HTTPS2 < <(free_ports)
  # A self-signed certificate for 127.0.0.1: the TLS client path (clickhouses://…?ca=).
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/tls.key" -out "$WORK/tls.crt" -days 2 \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null || { echo "FAIL: openssl req"; exit 1; }
  STORE_PASSWORD=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
  printf 'user=default\npassword=%s\n' "$STORE_PASSWORD" >"$WORK/credentials"
  chmod 600 "$WORK/credentials"
  shard_config 1 "$HTTP1" "$TCP1" "$HTTPS1"
  shard_config 2 "$HTTP2" "$TCP2" "$HTTPS2"
  shard_start 1
  shard_start 2
  URL1=clickhouse://127.0.0.1:$HTTP1/fleet
  URL2=clickhouse://127.0.0.1:$HTTP2/fleet
}

cluster_down() {
  shard_stop 1
  shard_stop 2
}

# sql HTTP_PORT QUERY: runs a query with curl (the password from the file, not the command line).
sql() {
  curl -fsS -K - "http://127.0.0.1:$1/?database=fleet" --data-binary "$2" <<<"user = \"default:$STORE_PASSWORD\""
}
