#!/bin/sh
# Checks `qifu-ctl catalog` on small catalogs written here: a broken one
# (validate exits 1 and lists every problem), a good one (exit 0, one-line
# summary, stats counts in text and JSON) and usage errors (exit 2).
# POSIX sh and grep only; no python on CI.
# Usage: sh catalog.sh QIFU_CTL SOURCE_DIR
ctl=$1
src=$2
fail=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/qf-catalog-cli.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

ctl() { "$ctl" --data-dir "$src" "$@"; }

expect_rc() { # expected-exit-code args...
    want=$1; shift
    ctl "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "$got" != "$want" ]; then
        echo "FAIL: qifu-ctl $*: exit $got, want $want"; sed 's/^/  | /' "$tmp/err"; fail=1
    fi
}
expect_grep() { # file pattern description
    if ! grep -q -- "$2" "$1"; then
        echo "FAIL: $3: no '$2' in:"; sed 's/^/  | /' "$1"; fail=1
    fi
}

# --- a good catalog ----------------------------------------------------------
good=$tmp/good
mkdir "$good"
cat >"$good/meta.json" <<'EOF'
{"meta": {"version": "test-1", "title": "CLI test", "source": "tests/cli/catalog.sh"}}
EOF
cat >"$good/boards.json" <<'EOF'
{"boards": [
  {"id": "board-talent", "name": "人才服务", "name_en": "Talent services",
   "lead_units": ["区委人才办"], "description": "人才"},
  {"id": "board-approval", "name": "审批服务", "name_en": "Approval services",
   "lead_units": [], "description": "审批"}],
 "units": [{"id": "unit-001", "name": "区委人才办", "kind": "department"}]}
EOF
cat >"$good/services.json" <<'EOF'
{"services": [
  {"id": "svc-common-001", "row": 1, "board": "board-talent", "category2": "认定",
   "category3": "人才认定", "provider": "government", "content": "认定", "flow": ["申请"],
   "units": ["区委人才办"], "frequency": "high", "target": "企业", "region": "全区",
   "period": "长期", "online": {"name": "企服新干线", "url": "https://www.qttzzj.com/"},
   "contacts": [{"phone": "85901890"}]},
  {"id": "svc-common-002", "row": 2, "board": "board-talent", "category2": "补贴",
   "category3": "人才补贴", "provider": "society", "content": "补贴", "flow": [],
   "units": [], "frequency": "low", "target": "企业", "region": "全区",
   "period": "长期", "contacts": []},
  {"id": "svc-common-003", "row": 3, "board": "board-approval", "category2": "开办",
   "category3": "开办帮办", "provider": "market", "content": "帮办", "flow": [],
   "units": [], "frequency": "medium", "target": "企业", "region": "全区",
   "period": "长期", "contacts": []}],
 "stations": [{"id": "station-ic", "name": "集成电路产业服务驿站", "industry": "集成电路",
   "platform": "钱塘芯谷", "address": "钱塘区", "items": [
   {"id": "svc-ic-001", "row": 1, "category": "人才服务", "provider": "enterprise",
    "description": "招聘", "contacts": []}]}],
 "online_services": [{"id": "online-01", "row": 1, "name": "法律公证", "category": "法治服务"}],
 "bundles": [
  {"id": "bundle-a", "source": "附件6", "name": "a", "needs": "a", "basic_items": [],
   "value_added": [], "guarantees": []},
  {"id": "bundle-b", "source": "附件7", "name": "b", "needs": "b", "basic_items": [],
   "value_added": [], "guarantees": []}]}
EOF
echo "# not part of the catalog {" >"$good/README.md"

expect_rc 0 catalog validate "$good"
expect_grep "$tmp/out" "catalog OK" "validate good: summary"
expect_grep "$tmp/out" "3 services" "validate good: summary counts"
[ "$(wc -l <"$tmp/out")" -eq 1 ] || { echo "FAIL: validate good: not one line"; fail=1; }
[ -s "$tmp/err" ] && { echo "FAIL: validate good: wrote to stderr"; cat "$tmp/err"; fail=1; }

expect_rc 0 catalog stats "$good" --json
expect_grep "$tmp/out" '"services":3,"station_items":1,"online_services":1,"bundles":2' \
    "stats --json: counts"
expect_grep "$tmp/out" '"by_board":{"board-talent":2,"board-approval":1}' "stats --json: by_board"
expect_grep "$tmp/out" '"by_station":{"station-ic":1}' "stats --json: by_station"
expect_grep "$tmp/out" '"by_provider":{"government":1,"market":1,"enterprise":1,"society":1}' \
    "stats --json: by_provider"
expect_grep "$tmp/out" '"bundles_by_source":{"附件6":1,"附件7":1}' "stats --json: by source"
[ "$(wc -l <"$tmp/out")" -eq 1 ] || { echo "FAIL: stats --json: not one line"; fail=1; }

expect_rc 0 catalog stats --json "$good"
expect_grep "$tmp/out" '"boards":2' "stats --json before DIR"

expect_rc 0 catalog stats "$good"
expect_grep "$tmp/out" "services by board" "stats table: heading"
expect_grep "$tmp/out" "board-talent  *2  人才服务" "stats table: board row"

# --- a broken catalog: decode errors and validation problems -----------------
bad=$tmp/bad
mkdir "$bad"
cp "$good/meta.json" "$good/boards.json" "$bad/"
cat >"$bad/services.json" <<'EOF'
{"services": [
  {"id": "svc-common-001", "row": 1, "board": "board-nope", "category2": "认定",
   "category3": "人才认定", "provider": "government", "content": "认定", "flow": ["申请"],
   "units": ["区人社局"], "frequency": "high", "target": "企业", "region": "全区",
   "period": "长期", "online": {"name": "企服新干线", "url": "www.qttzzj.com"},
   "contacts": [{"phone": "85901890"}]}],
 "hotlines": [{"id": "hotline-a", "name": "a", "number": "1"},
              {"id": "hotline-a", "name": "b", "number": "2"}]}
EOF
cat >"$bad/stations.json" <<'EOF'
{"stations": [{"id": "station-ic", "name": "x", "industry": "集成电路",
  "items": [{"id": "svc-ic-001", "row": 1, "category": "x", "provider": "x",
             "description": "x", "contacts": []}]}]}
EOF

expect_rc 1 catalog validate "$bad"
expect_grep "$tmp/err" 'services\[0\].board (svc-common-001): unknown board "board-nope"' \
    "validate bad: dangling board"
expect_grep "$tmp/err" 'services\[0\].units\[0\]' "validate bad: dangling unit"
expect_grep "$tmp/err" 'services\[0\].online.url' "validate bad: URL"
expect_grep "$tmp/err" 'hotlines\[1\].id (hotline-a): duplicate id' "validate bad: duplicate id"
expect_grep "$tmp/err" 'stations.json: stations\[0\].address: required string missing' \
    "validate bad: decode error with file name"
expect_grep "$tmp/err" 'stations.json: stations\[0\].items\[0\].provider: unknown value "x"' \
    "validate bad: second decode error in the same file"
expect_grep "$tmp/err" ': 6 problems' "validate bad: count"
n=$(grep -c '' "$tmp/err")
[ "$n" -ge 7 ] || { echo "FAIL: validate bad: $n lines on stderr, want >= 7"; fail=1; }
[ -s "$tmp/out" ] && { echo "FAIL: validate bad: wrote to stdout"; fail=1; }

expect_rc 1 catalog stats "$bad" --json
expect_grep "$tmp/err" "stations.json" "stats on a broken catalog names the file"

# --- usage and missing folders ------------------------------------------------
expect_rc 1 catalog validate "$tmp/does-not-exist"
expect_rc 2 catalog
expect_rc 2 catalog validate
expect_rc 2 catalog frob "$good"
expect_rc 2 catalog validate "$good" extra
expect_rc 2 catalog validate "$good" --json
expect_rc 2 catalog stats "$good" --yaml
exit $fail
