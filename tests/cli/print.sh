#!/bin/sh
# Checks printing end to end through the virtual printer:
#   - `printer listen --port 0` announces its port; `print test-slip` to
#     escpos-tcp: exits 0, a PNG slip appears and zbarimg reads the ticket's
#     URL back from its QR;
#   - the same slip to a png: folder; a service guide's QR likewise;
#   - a printer out of paper: `print test-slip` exits 1 naming the paper on
#     stderr, and no slip PNG is written;
#   - usage errors exit 2.
# `print receipt` needs a case in a database (created through the daemon's
# API): tests/integration/test_print.c covers it.
# Usage: sh print.sh QIFU_CTL SOURCE_DIR
ctl=$1
src=$2
fail=0
tmp=${TMPDIR:-/tmp}/qifu-cli-print.$$
pids=
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
mkdir -p "$tmp/ok" "$tmp/png" "$tmp/out" || exit 1

if ! command -v zbarimg >/dev/null 2>&1; then
    echo "FAIL: zbarimg not found: install zbar-tools (apt-get install zbar-tools)"
    exit 1
fi

# start_printer NAME ARGS...: starts a virtual printer logging to $tmp/NAME.log,
# sets port (empty when it did not come up within ~10 s of short polls).
start_printer() {
    name=$1
    shift
    "$ctl" printer listen --port 0 --once "$@" 2>"$tmp/$name.log" &
    pids="$pids $!"
    port=
    n=0
    while [ $n -lt 200 ]; do
        port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/$name.log")
        [ -n "$port" ] && return 0
        n=$((n + 1))
        sleep 0.05
    done
    echo "FAIL: printer $name did not start: $(cat "$tmp/$name.log")"
    fail=1
}

# wait_gone: waits (bounded, short polls) for the last printer to exit.
wait_gone() {
    last=$(echo $pids | awk '{print $NF}')
    n=0
    while kill -0 "$last" 2>/dev/null && [ $n -lt 200 ]; do
        n=$((n + 1))
        sleep 0.05
    done
    kill -0 "$last" 2>/dev/null && { echo "FAIL: the printer did not exit after --once"; fail=1; }
    wait "$last" 2>/dev/null
    prc=$?
    [ "$prc" = 0 ] || { echo "FAIL: the printer exited $prc: $(cat "$tmp"/*.log)"; fail=1; }
}

want_url=https://127.0.0.1:8443/queue/A023

# 1. A printer with paper.
start_printer ok --out "$tmp/ok"
if [ -n "$port" ]; then
    "$ctl" --data-dir "$src" print test-slip --sink "escpos-tcp:127.0.0.1:$port" \
        >"$tmp/p1.out" 2>"$tmp/p1.err"
    rc=$?
    [ $rc = 0 ] || { echo "FAIL: print test-slip to tcp: exit $rc ($(cat "$tmp/p1.err"))"; fail=1; }
    # --once: the printer exits once the connection closes; wait for it.
    wait_gone
    png=$(ls "$tmp/ok"/slip-*.png 2>/dev/null | head -n 1)
    if [ -z "$png" ]; then
        echo "FAIL: no slip PNG from the virtual printer ($(cat "$tmp/ok.log"))"; fail=1
    else
        got=$(zbarimg --raw -q "$png" 2>"$tmp/zbar.err")
        [ "$got" = "$want_url" ] ||
            { echo "FAIL: tcp slip QR reads '$got', want '$want_url'"; fail=1; }
    fi
    grep 'slip 1:' "$tmp/ok.log" | sed 's/^/  /'
fi

# 2. The png: sink, 80 mm.
"$ctl" --data-dir "$src" print test-slip --sink "png:$tmp/png" --width 576 \
    >"$tmp/p2.out" 2>"$tmp/p2.err"
rc=$?
[ $rc = 0 ] || { echo "FAIL: print test-slip to png: exit $rc ($(cat "$tmp/p2.err"))"; fail=1; }
png=$(ls "$tmp/png"/slip-*.png 2>/dev/null | head -n 1)
if [ -z "$png" ]; then
    echo "FAIL: no PNG in the png: sink folder"; fail=1
else
    got=$(zbarimg --raw -q "$png" 2>"$tmp/zbar.err")
    [ "$got" = "$want_url" ] || { echo "FAIL: png slip QR reads '$got', want '$want_url'"; fail=1; }
fi

# 2b. A service guide from the shipped catalog: its online channel as QR.
mkdir -p "$tmp/guide"
"$ctl" --data-dir "$src" print guide --service svc-common-004 --sink "png:$tmp/guide" \
    >"$tmp/p4.out" 2>"$tmp/p4.err"
rc=$?
[ $rc = 0 ] || { echo "FAIL: print guide: exit $rc ($(cat "$tmp/p4.err"))"; fail=1; }
png=$(ls "$tmp/guide"/slip-*.png 2>/dev/null | head -n 1)
got=
[ -n "$png" ] && got=$(zbarimg --raw -q "$png" 2>"$tmp/zbar.err")
[ "$got" = "https://zcps.rlsbt.zj.gov.cn/" ] ||
    { echo "FAIL: guide QR reads '$got', want the service's online URL"; fail=1; }
"$ctl" --data-dir "$src" print guide --service svc-nope --sink "png:$tmp/guide" >/dev/null 2>&1
[ $? = 1 ] || { echo "FAIL: print guide of an unknown service: want exit 1"; fail=1; }

# 3. Out of paper: refused, nothing printed.
start_printer out --out "$tmp/out" --status paper_out
if [ -n "$port" ]; then
    "$ctl" --data-dir "$src" print test-slip --sink "escpos-tcp:127.0.0.1:$port" \
        >"$tmp/p3.out" 2>"$tmp/p3.err"
    rc=$?
    wait_gone
    [ $rc = 1 ] || { echo "FAIL: paper out: exit $rc, want 1"; fail=1; }
    grep -q paper "$tmp/p3.err" ||
        { echo "FAIL: paper out: stderr does not name the paper: $(cat "$tmp/p3.err")"; fail=1; }
    if ls "$tmp/out"/slip-*.png >/dev/null 2>&1; then
        echo "FAIL: paper out: a slip was printed anyway"; fail=1
    fi
fi

# 4. Usage.
"$ctl" print test-slip >/dev/null 2>&1
[ $? = 2 ] || { echo "FAIL: print test-slip without --sink: want exit 2"; fail=1; }
"$ctl" print test-slip --sink png:/tmp --width 100 >/dev/null 2>&1
[ $? = 2 ] || { echo "FAIL: --width 100: want exit 2"; fail=1; }
"$ctl" printer listen --out "$tmp" >/dev/null 2>&1
[ $? = 2 ] || { echo "FAIL: printer listen without --port: want exit 2"; fail=1; }
"$ctl" print test-slip --sink bogus:x >/dev/null 2>&1
[ $? = 1 ] || { echo "FAIL: a bad sink: want exit 1"; fail=1; }

[ $fail = 0 ] && echo "print: all checks passed"
exit $fail
