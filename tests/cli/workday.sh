#!/bin/sh
# Checks `qifu-ctl workday` against the shipped holiday files: real make-up
# days and holidays, exit codes, and usage errors.
# Usage: sh workday.sh QIFU_CTL SOURCE_DIR
ctl=$1
src=$2
fail=0
ctl() { "$ctl" --data-dir "$src" "$@"; }

expect_out() { # expected-stdout args...
    want=$1; shift
    got=$(ctl "$@" 2>/dev/null)
    if [ "$got" != "$want" ]; then
        echo "FAIL: qifu-ctl $*: got '$got', want '$want'"; fail=1
    fi
}
expect_rc() { # expected-exit-code args...
    want=$1; shift
    ctl "$@" >/dev/null 2>&1
    got=$?
    if [ "$got" != "$want" ]; then
        echo "FAIL: qifu-ctl $*: exit $got, want $want"; fail=1
    fi
}

# 2025-01-27 (Mon) before the Spring Festival break 01-28..02-04: the next
# working day is 02-05; two after is 02-06.
expect_out 2025-02-05 workday add 2025-01-27 1
expect_out 2025-02-06 workday add 2025-01-27 2
# From Fri 2025-01-24 the next working day is Sun 01-26, a make-up day.
expect_out 2025-01-26 workday add 2025-01-24 1
# 2026 National Day: from Wed 2026-09-30, 10-01..07 are off, 10-08 is the first.
expect_out 2026-10-08 workday add 2026-09-30 1
expect_out 2026-10-10 workday add 2026-09-30 3
expect_out 2025-03-03 workday add 2025-03-03 0
expect_rc 0 workday is 2025-02-08   # Saturday make-up day
expect_rc 1 workday is 2025-01-29   # Spring Festival
expect_rc 1 workday is 2025-03-01   # an ordinary Saturday
expect_rc 0 workday is 2025-03-03   # an ordinary Monday
expect_rc 2 workday is 2025-02-30   # no such date
expect_rc 2 workday add 2025-01-27 -1
expect_rc 2 workday add 2025-01-27 x
expect_rc 2 workday
exit $fail
