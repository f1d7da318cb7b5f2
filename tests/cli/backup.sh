#!/bin/sh
# Checks `qifu-ctl backup`: a copy of a database with a published catalog
# is complete (same catalog versions), owner-only (0600) and checked; an
# existing target is refused without --force and replaced with it; a
# missing source database or a missing --to are errors (exit 1 / 2), and a
# failed backup leaves no FILE or FILE.tmp behind.
# POSIX sh and grep only.
# Usage: sh backup.sh QIFU_CTL SOURCE_DIR
ctl=$1
src=$2
fail=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/qf-backup-cli.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

expect_rc() { # expected-exit-code args...
    want=$1; shift
    "$ctl" --data-dir "$src" "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "$got" != "$want" ]; then
        echo "FAIL: qifu-ctl $*: exit $got, want $want"; sed 's/^/  | /' "$tmp/err"; fail=1
    fi
}

db=$tmp/live.db
expect_rc 0 --db "$db" catalog import "$src/assets/catalog"
expect_rc 0 --db "$db" backup --to "$tmp/copy.db"
grep -q 'quick_check ok' "$tmp/out" || { echo "FAIL: no 'quick_check ok' in the report"; fail=1; }
mode=$(stat -c %a "$tmp/copy.db" 2>/dev/null)
[ "$mode" = 600 ] || { echo "FAIL: backup mode is '$mode', want 600"; fail=1; }
expect_rc 0 --db "$tmp/copy.db" catalog versions
grep -q '^1 ' "$tmp/out" || { echo "FAIL: the copy lacks catalog version 1"; sed 's/^/  | /' "$tmp/out"; fail=1; }

expect_rc 1 --db "$db" backup --to "$tmp/copy.db"
expect_rc 0 --db "$db" backup --to "$tmp/copy.db" --force
expect_rc 1 --db "$tmp/missing.db" backup --to "$tmp/none.db"
[ ! -e "$tmp/none.db" ] && [ ! -e "$tmp/none.db.tmp" ] ||
    { echo "FAIL: a failed backup left files behind"; fail=1; }
expect_rc 2 --db "$db" backup
expect_rc 2 backup --to "$tmp/x.db"
expect_rc 2 --db "$db" backup --to "$db"
exit $fail
