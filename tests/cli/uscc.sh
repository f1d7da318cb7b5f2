#!/bin/sh
# Checks `qifu-ctl uscc check`: the normalised code on stdout and exit 0 for a
# valid code, the reason on stderr and exit 1 for an invalid one, exit 2 for
# usage errors.
# Usage: sh uscc.sh QIFU_CTL SOURCE_DIR
ctl=$1
src=$2
fail=0
tmp=${TMPDIR:-/tmp}/qifu-cli-uscc.$$
trap 'rm -f "$tmp.out" "$tmp.err"' EXIT
trap 'exit 1' INT TERM

# run ARGS...: sets rc, out, err
run() {
    "$ctl" --data-dir "$src" "$@" >"$tmp.out" 2>"$tmp.err"
    rc=$?
    out=$(cat "$tmp.out")
    err=$(cat "$tmp.err")
}

expect() { # want-rc want-stdout stderr-substring args...
    want_rc=$1 want_out=$2 want_err=$3
    shift 3
    run "$@"
    if [ "$rc" != "$want_rc" ]; then
        echo "FAIL: qifu-ctl $*: exit $rc, want $want_rc (stderr: $err)"; fail=1
    fi
    if [ "$out" != "$want_out" ]; then
        echo "FAIL: qifu-ctl $*: stdout '$out', want '$want_out'"; fail=1
    fi
    case $err in
        *"$want_err"*) ;;
        *) echo "FAIL: qifu-ctl $*: stderr '$err' lacks '$want_err'"; fail=1 ;;
    esac
}

# Valid codes: printed normalised, nothing on stderr.
expect 0 914403001922038216 "" uscc check 914403001922038216
expect 0 91440300708461136T "" uscc check "9144 0300-7084 6113 6t"
expect 0 12440600MB2C07549J "" uscc check 12440600mb2c07549j
run uscc check 91440300708461136T
[ -z "$err" ] || { echo "FAIL: stderr not empty for a valid code: $err"; fail=1; }

# Invalid: wrong check character, bad character, wrong length, unknown type.
expect 1 "" "expected 'T', got 'U'" uscc check 91440300708461136U
expect 1 "" "第18位校验码不符" uscc check 91440300708461136U
expect 1 "" "character 2 ('I') is not allowed" uscc check 9I440300708461136T
expect 1 "" "this has 17" uscc check 91440300708461136
expect 1 "" "is not an organisation type" uscc check 94440300708461136T

# Usage errors.
expect 2 "" "missing CODE" uscc check
expect 2 "" "usage: qifu-ctl uscc check CODE" uscc
expect 2 "" "unknown or missing verb" uscc verify 914403001922038216
expect 2 "" "expected one CODE" uscc check 91440300 708461136T
exit $fail
