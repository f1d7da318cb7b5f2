#!/usr/bin/env bash
# bench_syncd.sh — qifu-syncd over TLS with keep-alive on loopback, next to
# nginx serving the same bytes with the same certificate, measured in the
# same run (wrk, 2 threads, 32 connections). Not a test: it prints numbers
# for the README's performance section and asserts nothing.
#
# usage: tests/bench/bench_syncd.sh BUILD_DIR [SECONDS]
# needs: wrk, nginx (Debian packages), a built tree (qifu-syncd, qifu-ctl).
set -euo pipefail

build=${1:?usage: bench_syncd.sh BUILD_DIR [SECONDS]}
secs=${2:-10}
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$build/bin
work=$(mktemp -d /tmp/qifu-bench-XXXXXX)
syncd_pid=""; nginx_pid=""
cleanup() {
    [ -n "$syncd_pid" ] && kill "$syncd_pid" 2>/dev/null && wait "$syncd_pid" 2>/dev/null || true
    [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

for tool in wrk nginx curl; do
    command -v "$tool" >/dev/null || { echo "bench: needs $tool (apt-get install $tool)" >&2; exit 2; }
done

ctl() { "$bin/qifu-ctl" --db "$work/qifu.db" "$@"; }
ctl cert self-signed --cert "$work/server.crt" --key "$work/server.key" --host 127.0.0.1 >/dev/null
ctl catalog import "$root/assets/catalog" >/dev/null

# Rate limiting off for the benchmark (the load is one token).
cat >"$work/syncd.ini" <<INI
[syncd]
db = $work/qifu.db
cert = $work/server.crt
key = $work/server.key
listen = 127.0.0.1:0
rate_per_minute = 0
threads = 2
log_level = warn
INI
"$bin/qifu-syncd" --config "$work/syncd.ini" 2>"$work/syncd.log" &
syncd_pid=$!
for _ in $(seq 1 200); do
    grep -q "listening on" "$work/syncd.log" 2>/dev/null && break
    kill -0 "$syncd_pid" || { cat "$work/syncd.log"; exit 1; }
    sleep 0.05
done
addr=$(sed -n 's/^listening on //p' "$work/syncd.log")
base="https://$addr"

code=$(ctl device enroll bench-kiosk --hall qiantang | sed -n 's/^code: //p')
token=$(curl -s --cacert "$work/server.crt" -H 'Content-Type: application/json' \
        -d "{\"code\":\"$code\",\"name\":\"bench-kiosk\"}" "$base/api/v1/devices/enroll" |
        sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
[ -n "$token" ] || { echo "bench: enrollment failed" >&2; exit 1; }
etag=$(curl -s -D - -o "$work/catalog.json" --cacert "$work/server.crt" \
       -H "Authorization: Bearer $token" "$base/api/v1/catalog" |
       sed -n 's/^[Ee][Tt]ag: \(.*\)\r$/\1/p')
size=$(stat -c %s "$work/catalog.json")

# nginx: the same certificate, the catalog's bytes as a static file.
mkdir -p "$work/www" "$work/nginx"
cp "$work/catalog.json" "$work/www/catalog.json"
chmod 755 "$work" "$work/www"; chmod 644 "$work/www/catalog.json"   # nginx workers run as www-data
cat >"$work/nginx/nginx.conf" <<NGINX
daemon off;
worker_processes 2;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $work/nginx;
    proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx;
    uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
    server {
        listen 127.0.0.1:18443 ssl;
        ssl_certificate $work/server.crt;
        ssl_certificate_key $work/server.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        root $work/www;
        etag on;
    }
}
NGINX
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" &
nginx_pid=$!
for _ in $(seq 1 100); do
    curl -s -o /dev/null --cacert "$work/server.crt" https://127.0.0.1:18443/catalog.json && break
    sleep 0.05
done
ngx_etag=$(curl -s -D - -o /dev/null --cacert "$work/server.crt" https://127.0.0.1:18443/catalog.json |
           sed -n 's/^[Ee][Tt]ag: \(.*\)\r$/\1/p')

# Case submissions: a fresh Idempotency-Key per request (wrk's Lua).
cat >"$work/case.lua" <<LUA
local n = 0
request = function()
  n = n + 1
  local key = string.format("bench-%d-%d", math.random(1, 1e9), n)
  local body = '{"kind":"request","board":"board-request","enterprise_name":"杭州测试有限公司",'
    .. '"credit_code":"91330100MA27XL0Q7A","contact_name":"张三","mobile":"13800138000",'
    .. '"description":"基准测试提交的诉求内容，用于测量。"}'
  return wrk.format("POST", "/api/v1/cases",
    { ["Authorization"] = "Bearer $token", ["Content-Type"] = "application/json",
      ["Idempotency-Key"] = key }, body)
end
LUA

run() { # label, then wrk arguments
    local label=$1; shift
    local out
    out=$(wrk -t2 -c32 -d"${secs}s" --latency "$@" 2>&1)
    local rps p99
    rps=$(echo "$out" | sed -n 's/^Requests\/sec: *//p')
    p99=$(echo "$out" | sed -n 's/^ *99% *//p')
    local non2xx
    non2xx=$(echo "$out" | sed -n 's/^ *Non-2xx or 3xx responses: *//p')
    printf '%-36s %10s req/s   p99 %8s   %s\n' "$label" "$rps" "$p99" "${non2xx:+errors (non-2xx/3xx): $non2xx}"
    echo "$rps" >"$work/last.rps"
}

echo "qifu-syncd bench: ${secs}s per run, wrk -t2 -c32, TLS, keep-alive, catalog $size bytes"
run "syncd  catalog 304 (If-None-Match)" -H "Authorization: Bearer $token" -H "If-None-Match: $etag" "$base/api/v1/catalog"
s304=$(cat "$work/last.rps")
run "nginx  static 304 (If-None-Match)" -H "If-None-Match: $ngx_etag" https://127.0.0.1:18443/catalog.json
n304=$(cat "$work/last.rps")
run "syncd  catalog full (identity)" -H "Authorization: Bearer $token" "$base/api/v1/catalog"
sfull=$(cat "$work/last.rps")
run "nginx  same bytes (static file)" https://127.0.0.1:18443/catalog.json
nfull=$(cat "$work/last.rps")
run "syncd  case submission" -s "$work/case.lua" "$base/api/v1/cases"
awk -v a="$s304" -v b="$n304" -v c="$sfull" -v d="$nfull" 'BEGIN {
    printf "ratio syncd/nginx: 304 path %.2f, full body %.2f\n", a / b, c / d }'
