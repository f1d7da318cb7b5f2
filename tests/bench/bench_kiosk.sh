#!/usr/bin/env bash
# bench_kiosk.sh — qifu-kiosk's numbers for the README's performance
# section: cold start to the first interactive frame, frame time p50/p99
# while dragging a long list at 1080x1920 with the software renderer
# (headless, SDL's dummy driver), search time per keystroke (bench_search,
# when built) and peak RSS. Not a test (CTest never runs it): it prints a
# table against the targets and exits 1 when one is missed.
#
# usage: tests/bench/bench_kiosk.sh BUILD_DIR [RUNS]
#   BUILD_DIR: an existing release build (e.g. -DCMAKE_BUILD_TYPE=
#   RelWithDebInfo) with qifu-kiosk built; bench_search is optional.
#   RUNS: cold starts to take the median of (default 5).
# needs: /usr/bin/time (GNU time, Debian package "time") for peak RSS.
#
# What is measured:
#   first frame — the kiosk's own "first frame after N ms" (process start on
#     the monotonic clock to the first frame presented), catalog from
#     catalog_dir (the development fallback: the same qf_catalog a cache
#     load gives), median of RUNS starts. "Cold" = a new process; the page
#     cache is warm after the first run (dropping it needs root).
#   frame p50/p99 — the kiosk's draw-time stats printed on exit, over a
#     session that opens 人才服务 (42 services, the longest board) and drags
#     its list up and down 40 times (600 ms each, one motion per 16 ms).
#   search — bench_search's median and p99 per keystroke over the shipped
#     catalog.
#   peak RSS — GNU time's "Maximum resident set size" of the drag session.
set -euo pipefail

build=${1:?usage: bench_kiosk.sh BUILD_DIR [RUNS]}
runs=${2:-5}
root=$(cd "$(dirname "$0")/../.." && pwd)
kiosk=$build/bin/qifu-kiosk
[ -x "$kiosk" ] || kiosk=$build/qifu-kiosk
[ -x "$kiosk" ] || { echo "bench: no qifu-kiosk in $build (build it first)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
work=$(mktemp -d /tmp/qifu-kbench-XXXXXX)
trap 'rm -rf "$work"' EXIT

cat >"$work/kiosk.ini" <<EOF
[server]
url =
[kiosk]
state_dir = $work/state
hall_name = 钱塘区企业综合服务中心
idle_timeout_s = 3600
language = zh
catalog_dir = $root/assets/catalog
EOF

# -- cold start -----------------------------------------------------------
printf 'quit\n' >"$work/quit.txt"
starts=()
for _ in $(seq "$runs"); do
    "$kiosk" --config "$work/kiosk.ini" --headless --script "$work/quit.txt" \
        --size 1080x1920 2>"$work/start.err" >/dev/null
    ms=$(sed -n 's/.*first frame after \([0-9.]*\) ms.*/\1/p' "$work/start.err" | head -1)
    [ -n "$ms" ] || { cat "$work/start.err" >&2; echo "bench: no first-frame line" >&2; exit 1; }
    starts+=("$ms")
done
first_ms=$(printf '%s\n' "${starts[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
first_max=$(printf '%s\n' "${starts[@]}" | sort -g | tail -1)

# -- drag a long list -----------------------------------------------------
{
    echo "tap 540 1200"
    echo "wait-text 人才服务 1000"
    echo "tap-text 人才服务"
    for _ in $(seq 20); do
        echo "drag 540 1700 540 500 600"
        echo "wait 1500"
        echo "drag 540 500 540 1700 600"
        echo "wait 1500"
    done
    echo "quit"
} >"$work/drag.txt"
/usr/bin/time -v "$kiosk" --config "$work/kiosk.ini" --headless --script "$work/drag.txt" \
    --size 1080x1920 2>"$work/drag.err" >/dev/null || {
    cat "$work/drag.err" >&2
    echo "bench: the drag session failed" >&2
    exit 1
}
stats=$(grep -m1 'frames (draw p50' "$work/drag.err")
frames=$(sed -n 's/.*: \([0-9]*\) frames (draw.*/\1/p' <<<"$stats")
p50=$(sed -n 's/.*draw p50 \([0-9.]*\) ms.*/\1/p' <<<"$stats")
p99=$(sed -n 's/.*p99 \([0-9.]*\) ms).*/\1/p' <<<"$stats")
rss_kb=$(sed -n 's/.*Maximum resident set size (kbytes): \([0-9]*\).*/\1/p' "$work/drag.err")
rss_mb=$(awk -v k="$rss_kb" 'BEGIN {printf "%.1f", k / 1024}')

# -- search ---------------------------------------------------------------
search_med="-" search_p99="-"
if [ -x "$build/bench/bench_search" ]; then
    line=$("$build/bench/bench_search" "$root/assets/catalog" 2>&1 | grep -m1 'per keystroke' || true)
    search_med=$(sed -n 's/.*median \([0-9.]*\) us.*/\1/p' <<<"$line")
    search_p99=$(sed -n 's/.*p99 \([0-9.]*\) us.*/\1/p' <<<"$line")
    search_med=$(awk -v u="$search_med" 'BEGIN {printf "%.3f", u / 1000}')
    search_p99=$(awk -v u="$search_p99" 'BEGIN {printf "%.3f", u / 1000}')
fi

# -- table ----------------------------------------------------------------
fail=0
row() {   # name value unit target
    local verdict=ok
    if [ "$2" = "-" ]; then
        verdict="not measured"
    elif ! awk -v v="$2" -v t="$4" 'BEGIN {exit !(v <= t)}'; then
        verdict=MISSED
        fail=1
    fi
    printf '%-34s %10s %-3s  <= %-6s %s\n' "$1" "$2" "$3" "$4" "$verdict"
}
echo "qifu-kiosk benchmark ($(uname -m), $(nproc) CPUs, 1080x1920, software renderer)"
printf '%-34s %10s %-3s  %-9s %s\n' "measure" "value" "" "target" ""
row "first frame (median of $runs)" "$first_ms" ms 500
row "first frame (worst of $runs)" "$first_max" ms 500
row "frame draw p50 ($frames frames)" "$p50" ms 16
row "frame draw p99 ($frames frames)" "$p99" ms 16
row "search per keystroke, median" "$search_med" ms 2
row "search per keystroke, p99" "$search_p99" ms 2
row "peak RSS (drag session)" "$rss_mb" MB 80
exit $fail
