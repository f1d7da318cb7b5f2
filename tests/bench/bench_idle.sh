#!/usr/bin/env bash
# bench_idle.sh — what qifu-kiosk costs while nobody uses it: the real event
# loop (not --headless, which plays scripts on an app clock) in a window of
# SDL's dummy video driver with the software renderer, left on the idle
# screen for SECONDS. Not a test (CTest never runs it): it prints CPU % and
# wakeups and exits 1 when the CPU goal (< 1 %) is missed.
#
# usage: tests/bench/bench_idle.sh BUILD_DIR [SECONDS]
#   BUILD_DIR: a build with qifu-kiosk (a release build for real numbers:
#   ASan/UBSan add their own background work). SECONDS: default 30.
#
# What is measured, between two samples SECONDS apart, after the kiosk has
# drawn its first frame, built its search index and settled for 2 s:
#   CPU — utime + stime of the whole process (/proc/PID/stat fields 14, 15,
#     all threads) over wall time.
#   wakeups — context switches of all its threads (voluntary + involuntary,
#     /proc/PID/task/*/status): each is the loop or a worker waking up.
#   frames — frames drawn in the window (QIFU_UI_DRAW_LOG lines: one per
#     frame, with how much of the screen it repainted).
# The kiosk is stopped with SIGTERM (SDL turns it into SDL_QUIT) and its
# exit line gives the frame totals (full / partial / unchanged).
set -euo pipefail

build=${1:?usage: bench_idle.sh BUILD_DIR [SECONDS]}
secs=${2:-30}
root=$(cd "$(dirname "$0")/../.." && pwd)
kiosk=$build/bin/qifu-kiosk
[ -x "$kiosk" ] || kiosk=$build/qifu-kiosk
[ -x "$kiosk" ] || { echo "bench: no qifu-kiosk in $build (build it first)" >&2; exit 2; }
work=$(mktemp -d /tmp/qifu-ibench-XXXXXX)
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

cat >"$work/kiosk.ini" <<EOF
[server]
url =
[kiosk]
state_dir = $work/state
hall_name = 钱塘区企业综合服务中心
idle_timeout_s = 90
language = zh
catalog_dir = $root/assets/catalog
EOF

SDL_VIDEODRIVER=dummy SDL_RENDER_DRIVER=software QIFU_UI_DRAW_LOG=1 \
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} \
    "$kiosk" --config "$work/kiosk.ini" --size 1080x1920 2>"$work/kiosk.err" >/dev/null &
pid=$!

# Up and quiet: first frame drawn and the search index built.
for _ in $(seq 200); do
    grep -q 'search index built' "$work/kiosk.err" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/kiosk.err" >&2; echo "bench: kiosk exited" >&2; exit 1; }
    sleep 0.1
done
grep -q 'first frame after' "$work/kiosk.err" || { cat "$work/kiosk.err" >&2; echo "bench: no first frame" >&2; exit 1; }
sleep 2

ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
switches() {
    cat /proc/"$pid"/task/*/status 2>/dev/null |
        awk '/^(voluntary|nonvoluntary)_ctxt_switches/ {n += $2} END {print n}'
}
frames() { grep -c '^qifu-kiosk: draw ' "$work/kiosk.err" || true; }

t0=$(ticks); s0=$(switches); f0=$(frames); w0=$(date +%s.%N)
sleep "$secs"
t1=$(ticks); s1=$(switches); f1=$(frames); w1=$(date +%s.%N)
threads=$(ls /proc/"$pid"/task | wc -l)

kill -TERM "$pid"
wait "$pid" || true
pid=

hz=$(getconf CLK_TCK)
awk -v t="$((t1 - t0))" -v hz="$hz" -v s="$((s1 - s0))" -v f="$((f1 - f0))" -v w0="$w0" \
    -v w1="$w1" -v th="$threads" 'BEGIN {
    wall = w1 - w0
    cpu = 100 * t / hz / wall
    printf "idle screen, %.1f s, dummy video driver, software renderer, %d threads\n", wall, th
    printf "%-22s %10.2f %%   (goal < 1 %%)\n", "CPU", cpu
    printf "%-22s %10.1f /s   (%d in all threads)\n", "wakeups", s / wall, s
    printf "%-22s %10d\n", "frames drawn", f
    exit cpu < 1 ? 0 : 1
}' && ok=0 || ok=1
grep -E '^qifu-kiosk: (draw [0-9]+ partial|[0-9]+ frames)' "$work/kiosk.err" | tail -3 || true
exit "$ok"
