#!/usr/bin/env bash
# packaging/test-packages.sh — proof that the Debian packages build, are
# lint-clean and install. Called at the end of `packaging/dev/qifu test`;
# runs alone too. Needs root (debootstrap, chroot) and network access to a
# Debian mirror; installs its own tools with apt-get. Nothing is cached and
# nothing is written in the repository except the build tree build-pkg/
# (ignored by git, like build/ and build-asan/).
#
# What it proves, step by step:
#  1. A Release tree with Debian's hardening flags (dpkg-buildflags) builds
#     and `cpack -G DEB` makes qifu-common (all), qifu-syncd and qifu-kiosk.
#  2. dpkg-deb -I/-c: the files sit at their FHS paths, /etc files are
#     conffiles, Depends come from the linked libraries (dpkg-shlibdeps) and
#     name qifu-common, nothing is shipped under /var or /usr/local.
#  3. lintian reports no errors on any of the three (warnings are shown).
#  4. A throwaway Debian 12 root made by `debootstrap --variant=minbase`:
#     `apt-get install` of qifu-common + qifu-syncd resolves every Depends
#     from the real bookworm archive, the maintainer scripts run (qifu user,
#     state and TLS folders with owners and modes, a self-signed certificate
#     made by the installed qifu-ctl). qifu-kiosk's Depends are resolved with
#     `apt-get install --simulate` only (cage, mesa and fonts-noto-cjk are
#     ~200 MB), and its binary is run (--version) from `dpkg-deb -x`.
#  5. In that root, as the qifu user, the installed qifu-ctl imports the
#     shipped catalog from /usr/share/qifu and reads the shipped holidays,
#     and the installed qifu-syncd starts from /etc/qifu/qifu-syncd.ini
#     (only --listen is overridden, to a free loopback port) with a
#     certificate from packaging/certs/qifu-certs; GET /healthz answers over
#     TLS verified against the district CA for a DNS and an IP SAN, and is
#     refused without that CA. `qifu-ctl backup` copies the live database;
#     a rotated certificate is served after SIGHUP; SIGTERM exits 0.
#  6. Reinstall (upgrade path) and purge keep /var/lib/qifu/qifu.db; the
#     kiosk's maintainer scripts run too (dpkg --force-depends: its state
#     folder and config modes; purge keeps its token).
#  7. `systemd-analyze verify` accepts the installed unit files, and
#     `systemd-analyze security --offline` rates qifu-syncd.service's
#     sandbox at most 2.0 ("OK"; 0 is best, 10 worst). The kiosk's nightly
#     check script passes against the running daemon and fails when the
#     server's certificate is not signed by the configured CA (step 5).
# What it does NOT prove: the units under a running systemd (the chroot has
# no init: Type=notify, the watchdog and the sandboxing options are only
# syntax-checked), the kiosk under cage on a real tty/GPU, or the udev
# rules against real devices (a bookworm udevadm has no `verify`).
#
# Environment: QIFU_PKG_BUILD (build tree, default build-pkg/),
# QIFU_DEBIAN_MIRROR (default http://deb.debian.org/debian),
# QIFU_PKG_KEEP=1 keeps the throwaway root for inspection.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${QIFU_PKG_BUILD:-$root/build-pkg}
mirror=${QIFU_DEBIAN_MIRROR:-http://deb.debian.org/debian}
jobs=$(nproc 2>/dev/null || echo 2)

if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "test-packages: needs root (debootstrap, chroot)" >&2; exit 1; }
    exec sudo -E "$0" "$@"
fi

# Same list as packaging/dev/qifu, plus the packaging tools.
pkg_tools=(build-essential cmake pkg-config libjansson-dev libinih-dev libsqlite3-dev
           libgnutls28-dev libmicrohttpd-dev libsystemd-dev zlib1g-dev libcurl4-gnutls-dev
           libsodium-dev libsdl2-dev libsdl2-ttf-dev libqrencode-dev libpng-dev
           libpinyin15-dev libpinyin-data
           dpkg-dev fakeroot lintian debootstrap debian-archive-keyring gnutls-bin curl openssl
           sqlite3 systemd)

ensure_packages() {
    local missing=() pkg
    for pkg in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$pkg")
        fi
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "test-packages: installing ${missing[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

work=$(mktemp -d /tmp/qifu-pkgtest.XXXXXX)
chr=$work/root
daemon_pid=""
failures=0
t0=$(date +%s)

cleanup() {
    local p
    if [ -n "$daemon_pid" ]; then
        kill "$daemon_pid" 2>/dev/null || true
        wait "$daemon_pid" 2>/dev/null || true
    fi
    # Anything still running inside the throwaway root was started here.
    for p in /proc/[0-9]*; do
        [ "$(readlink "$p/root" 2>/dev/null)" = "$chr" ] && kill "${p#/proc/}" 2>/dev/null
    done
    if [ "${QIFU_PKG_KEEP:-0}" = 1 ]; then
        echo "test-packages: kept $work" >&2
    elif grep -q " $work/" /proc/mounts; then
        # debootstrap bind-mounts /dev inside containers; an interrupted run
        # may leave that behind, and deleting through it would hit the host.
        echo "test-packages: mounts remain under $work; not removing it:" >&2
        grep " $work/" /proc/mounts >&2
    else
        rm -rf --one-file-system "$work"
    fi
}
trap cleanup EXIT

step() { printf '\n== [%3ss] %s\n' "$(($(date +%s) - t0))" "$*"; }
pass() { echo "ok: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# check DESCRIPTION COMMAND...: one assertion, run without aborting the script.
check() {
    local what=$1; shift
    if "$@" >/dev/null 2>&1; then pass "$what"; else fail "$what"; fi
}
# A command inside the throwaway root, as root or (as_qifu) as the qifu user.
in_root() { chroot "$chr" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }
as_qifu() {
    chroot --userspec="$qifu_uid:$qifu_gid" "$chr" /usr/bin/env -i PATH=/usr/bin:/bin \
        HOME=/var/lib/qifu LANG=C.UTF-8 "$@"
}

# --- 1. build -------------------------------------------------------------------
step "build a Release tree and the packages (cpack)"
ensure_packages "${pkg_tools[@]}"
# Debian's own hardening flags, as a package build would use; -Werror off as
# the QIFU_WERROR option invites packagers to (the ASan suite keeps it on).
export DEB_BUILD_MAINT_OPTIONS=hardening=+all
CFLAGS="$(dpkg-buildflags --get CFLAGS) $(dpkg-buildflags --get CPPFLAGS)" \
LDFLAGS="$(dpkg-buildflags --get LDFLAGS)" \
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DQIFU_TESTS=OFF -DQIFU_WERROR=OFF \
        -DCMAKE_INSTALL_PREFIX=/usr -DQIFU_DATA_DIR=/usr/share/qifu >/dev/null
cmake --build "$build" -j "$jobs" >"$work/build.log" 2>&1 || { tail -40 "$work/build.log"; exit 1; }
echo "build warnings: $(grep -c 'warning:' "$work/build.log" || true)"
rm -f "$build"/*.deb
(cd "$build" && cpack -G DEB >"$work/cpack.log" 2>&1) || { tail -40 "$work/cpack.log"; exit 1; }
version=$(sed -n 's/^#define QF_VERSION "\(.*\)"/\1/p' "$build/gen/qf_version.h")
arch=$(dpkg --print-architecture)
deb_common=$build/qifu-common_${version}_all.deb
deb_syncd=$build/qifu-syncd_${version}_${arch}.deb
deb_kiosk=$build/qifu-kiosk_${version}_${arch}.deb
for d in "$deb_common" "$deb_syncd" "$deb_kiosk"; do
    [ -f "$d" ] || { echo "FAIL: cpack did not make $d"; ls "$build"/*.deb; exit 1; }
    echo "built $(basename "$d") ($(du -k "$d" | cut -f1) KB)"
done

# --- 2. contents and control ---------------------------------------------------------
step "dpkg-deb -I / -c"
for d in "$deb_common" "$deb_syncd" "$deb_kiosk"; do
    n=$(basename "$d" .deb)
    dpkg-deb -I "$d" >"$work/$n.info"
    dpkg-deb -c "$d" | awk '{ print $6 ($7 ? " " $7 " " $8 : "") }' >"$work/$n.files"
    dpkg-deb -f "$d" | sed 's/^/  /'
    check "$n: nothing under /var, /usr/local or /home" \
        sh -c "! grep -Eq '^\./(var|usr/local|home)/' '$work/$n.files'"
done
has() { grep -Eq "$2" "$work/$(basename "$1" .deb).$3"; }
for f in '^\./usr/bin/qifu-syncd$' '^\./usr/bin/qifu-ctl$' '^\./etc/qifu/qifu-syncd\.ini$' \
         '^\./lib/systemd/system/qifu-syncd\.service$' '^\./usr/libexec/qifu/qifu-certs$' \
         '^\./usr/share/doc/qifu-syncd/copyright$'; do
    check "qifu-syncd ships $f" has "$deb_syncd" "$f" files
done
for f in '^\./usr/bin/qifu-kiosk$' '^\./etc/qifu/qifu-kiosk\.ini$' '^\./etc/pam\.d/qifu-kiosk$' \
         '^\./lib/systemd/system/qifu-kiosk\.service$' '^\./lib/systemd/system/qifu-kiosk-health\.timer$' \
         '^\./lib/udev/rules\.d/60-qifu-devices\.rules$' '^\./usr/libexec/qifu/qifu-kiosk-health$'; do
    check "qifu-kiosk ships $f" has "$deb_kiosk" "$f" files
done
for f in '^\./usr/share/qifu/holidays/2026\.ini$' '^\./usr/share/qifu/assets/catalog/meta\.json$' \
         '^\./usr/share/qifu/config/holidays -> \.\./holidays$' \
         '^\./usr/share/qifu/fonts/NotoSansCJK-Regular\.ttc -> \.\./\.\./fonts/opentype/noto/'; do
    check "qifu-common ships $f" has "$deb_common" "$f" files
done
check "qifu-common is Architecture: all" has "$deb_common" '^ Architecture: all$' info
check "qifu-syncd conffiles list /etc/qifu/qifu-syncd.ini" \
    sh -c "dpkg-deb -I '$deb_syncd' conffiles | grep -qx /etc/qifu/qifu-syncd.ini"
check "qifu-kiosk conffiles list its config and PAM file" \
    sh -c "dpkg-deb -I '$deb_kiosk' conffiles | grep -qx /etc/qifu/qifu-kiosk.ini &&
           dpkg-deb -I '$deb_kiosk' conffiles | grep -qx /etc/pam.d/qifu-kiosk"
for lib in libmicrohttpd12 libgnutls30 libsqlite3-0 libsodium23 libjansson4 libsystemd0 \
           "qifu-common \(= $version\)"; do
    check "qifu-syncd Depends: $lib" has "$deb_syncd" "^ Depends:.*$lib" info
done
for lib in libsdl2-2.0-0 libsdl2-ttf-2.0-0 libpinyin15 libcurl3-gnutls cage fonts-noto-cjk \
           "qifu-common \(= $version\)"; do
    check "qifu-kiosk Depends: $lib" has "$deb_kiosk" "^ Depends:.*$lib" info
done

# --- 3. lintian -----------------------------------------------------------------------
step "lintian (errors fail, warnings shown)"
for d in "$deb_common" "$deb_syncd" "$deb_kiosk"; do
    if lintian --fail-on error --allow-root --tag-display-limit 0 "$d" >"$work/lintian.out" 2>&1; then
        pass "lintian: no errors in $(basename "$d")"
    else
        fail "lintian errors in $(basename "$d")"
    fi
    sed 's/^/  /' "$work/lintian.out"
done

# --- 4. install into a throwaway Debian 12 root ------------------------------------------
step "debootstrap --variant=minbase bookworm ($mirror)"
debootstrap --variant=minbase bookworm "$chr" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log"; exit 1; }
# The throwaway root resolves names like the host; nothing else is shared
# (no bind mounts: removing $work can never touch the host).
cp /etc/resolv.conf "$chr/etc/resolv.conf"
cp "$deb_common" "$deb_syncd" "$deb_kiosk" "$chr/tmp/"

step "apt-get install qifu-common qifu-syncd in the throwaway root"
in_root apt-get update -qq >"$work/apt.log" 2>&1
if in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        "/tmp/$(basename "$deb_common")" "/tmp/$(basename "$deb_syncd")" >>"$work/apt.log" 2>&1; then
    pass "apt-get installs qifu-syncd and its Depends from bookworm ($(grep -o '[0-9]* newly installed' "$work/apt.log" | head -n 1))"
else
    tail -30 "$work/apt.log"
    fail "apt-get install qifu-syncd"
    exit 1
fi
grep '^qifu-' "$work/apt.log" | sed 's/^/  postinst: /' || true
if in_root apt-get install --simulate -y --no-install-recommends \
        "/tmp/$(basename "$deb_kiosk")" >"$work/apt-kiosk.log" 2>&1; then
    pass "qifu-kiosk's Depends resolve in bookworm ($(grep -c '^Inst ' "$work/apt-kiosk.log") packages)"
else
    tail -20 "$work/apt-kiosk.log"
    fail "qifu-kiosk's Depends do not resolve"
fi
dpkg-deb -x "$deb_kiosk" "$work/kiosk-x"
check "the packaged qifu-kiosk runs (--version)" "$work/kiosk-x/usr/bin/qifu-kiosk" --version

qifu_uid=$(in_root id -u qifu)
qifu_gid=$(in_root id -g qifu)
perm() { in_root stat -c '%U:%G %a' "$1"; }
check "system user qifu exists (uid $qifu_uid < 1000, nologin)" \
    sh -c "[ $qifu_uid -lt 1000 ] && chroot '$chr' getent passwd qifu | grep -q ':/usr/sbin/nologin$'"
check "/var/lib/qifu is qifu:qifu 750" test "$(perm /var/lib/qifu)" = "qifu:qifu 750"
check "/etc/qifu/tls is root:qifu 750" test "$(perm /etc/qifu/tls)" = "root:qifu 750"
check "postinst made a self-signed key root:qifu 640" test "$(perm /etc/qifu/tls/server.key)" = "root:qifu 640"
check "the installed qifu-ctl finds the shipped holidays (2026-09-30 + 1 working day)" \
    sh -c "chroot --userspec=$qifu_uid:$qifu_gid '$chr' /usr/bin/qifu-ctl workday add 2026-09-30 1 |
           grep -qx 2026-10-08"

# --- 5. run the installed daemon ------------------------------------------------------------
step "district CA and server certificate (packaging/certs/qifu-certs)"
pki=$work/pki
"$root/packaging/certs/qifu-certs" ca "$pki" >/dev/null
"$root/packaging/certs/qifu-certs" server "$pki" --host localhost --host 127.0.0.1 >/dev/null
cp "$chr/etc/qifu/tls/server.crt" "$chr/etc/qifu/tls/server.crt.selfsigned"
install -m 0644 "$pki/ca.crt" "$chr/etc/qifu/tls/ca.crt"
install -m 0644 "$pki/server.crt" "$chr/etc/qifu/tls/server.crt"
install -m 0640 -g "$qifu_gid" "$pki/server.key" "$chr/etc/qifu/tls/server.key"

step "start the installed qifu-syncd as qifu and call /healthz over TLS"
if as_qifu /usr/bin/qifu-ctl --config /etc/qifu/qifu-syncd.ini catalog import \
        /usr/share/qifu/assets/catalog >"$work/import.log" 2>&1; then
    pass "qifu-ctl imports the shipped catalog into /var/lib/qifu/qifu.db"
else
    sed 's/^/  /' "$work/import.log"
    fail "qifu-ctl catalog import"
fi
# Started without a function or subshell so that $! is the daemon itself
# (chroot and env exec into it): the signals below must reach qifu-syncd.
chroot --userspec="$qifu_uid:$qifu_gid" "$chr" /usr/bin/env -i PATH=/usr/bin:/bin \
    HOME=/var/lib/qifu LANG=C.UTF-8 \
    /usr/bin/qifu-syncd --config /etc/qifu/qifu-syncd.ini --listen 127.0.0.1:0 \
    2>"$work/syncd.log" &
daemon_pid=$!
bound=""
for _ in $(seq 1 100); do
    bound=$(sed -n 's/^listening on //p' "$work/syncd.log")
    [ -n "$bound" ] && break
    kill -0 "$daemon_pid" 2>/dev/null || break
    sleep 0.1
done
if [ -z "$bound" ]; then
    sed 's/^/  | /' "$work/syncd.log"
    fail "the installed qifu-syncd did not start"
    exit 1
fi
port=${bound##*:}
echo "qifu-syncd (pid $daemon_pid) listening on $bound"
health=$(curl -fsS --max-time 10 --cacert "$pki/ca.crt" "https://localhost:$port/healthz" || true)
echo "  GET https://localhost:$port/healthz -> $health"
check "/healthz over TLS, DNS SAN localhost, status ok" sh -c "echo '$health' | grep -q '\"status\":\"ok\"'"
check "/healthz reports the imported catalog version 1" sh -c "echo '$health' | grep -q '\"catalog_version\":1'"
check "/healthz over TLS, IP SAN 127.0.0.1" \
    curl -fsS --max-time 10 --cacert "$pki/ca.crt" "https://127.0.0.1:$port/healthz"
check "TLS is refused without the district CA" \
    sh -c "! curl -fsS --max-time 10 https://localhost:$port/healthz"

if as_qifu /usr/bin/qifu-ctl --config /etc/qifu/qifu-syncd.ini backup \
        --to /var/lib/qifu/backup.db >"$work/backup.log" 2>&1; then
    pass "qifu-ctl backup copies the live database ($(cat "$work/backup.log"))"
else
    sed 's/^/  /' "$work/backup.log"
    fail "qifu-ctl backup"
fi
check "the backup is a sound database with the catalog" \
    sh -c "[ \"\$(sqlite3 '$chr/var/lib/qifu/backup.db' 'PRAGMA integrity_check')\" = ok ] &&
           [ \"\$(stat -c %a '$chr/var/lib/qifu/backup.db')\" = 600 ]"

# The kiosk's nightly check, from the kiosk package, against this daemon.
printf '[server]\nurl = https://localhost:%s\nca_file = %s\n[printer]\nsink = png:%s\n' \
    "$port" "$pki/ca.crt" "$work" >"$work/kiosk.ini"
check "qifu-kiosk-health passes against the running daemon with the district CA" \
    env QIFU_KIOSK_CONF="$work/kiosk.ini" "$work/kiosk-x/usr/libexec/qifu/qifu-kiosk-health"
sed -i "s|^ca_file = .*|ca_file = $chr/etc/qifu/tls/server.crt.selfsigned|" "$work/kiosk.ini"
check "qifu-kiosk-health fails when the server's certificate is not trusted" \
    sh -c "! env QIFU_KIOSK_CONF='$work/kiosk.ini' '$work/kiosk-x/usr/libexec/qifu/qifu-kiosk-health'"

serial() {
    openssl s_client -connect "127.0.0.1:$port" -servername localhost </dev/null 2>/dev/null |
        openssl x509 -noout -serial
}
old_serial=$(serial)
"$root/packaging/certs/qifu-certs" server "$pki" --host localhost --host 127.0.0.1 >/dev/null
install -m 0644 "$pki/server.crt" "$chr/etc/qifu/tls/server.crt"
install -m 0640 -g "$qifu_gid" "$pki/server.key" "$chr/etc/qifu/tls/server.key"
kill -HUP "$daemon_pid"
new_serial=$old_serial
for _ in $(seq 1 50); do
    new_serial=$(serial)
    [ "$new_serial" != "$old_serial" ] && break
    sleep 0.1
done
check "after rotation and SIGHUP the new certificate is served ($old_serial -> $new_serial)" \
    test "$new_serial" != "$old_serial"
check "/healthz still verifies against the CA after rotation" \
    curl -fsS --max-time 10 --cacert "$pki/ca.crt" "https://localhost:$port/healthz"
kill -TERM "$daemon_pid"
rc=0
wait "$daemon_pid" || rc=$?
daemon_pid=""
check "SIGTERM stops qifu-syncd with exit 0" test "$rc" = 0

# --- 6. upgrade path and purge keep the database ------------------------------------------
step "reinstall and purge keep /var/lib/qifu/qifu.db"
db_sum=$(sha256sum "$chr/var/lib/qifu/qifu.db" | cut -d' ' -f1)
check "reinstall (the upgrade path of the maintainer scripts)" \
    in_root env DEBIAN_FRONTEND=noninteractive dpkg -i "/tmp/$(basename "$deb_syncd")"
check "the database is untouched by the reinstall" \
    test "$(sha256sum "$chr/var/lib/qifu/qifu.db" | cut -d' ' -f1)" = "$db_sum"
in_root env DEBIAN_FRONTEND=noninteractive apt-get purge -y qifu-syncd >"$work/purge.log" 2>&1 ||
    fail "apt-get purge qifu-syncd"
grep '^qifu-syncd:' "$work/purge.log" | sed 's/^/  postrm: /' || true
check "purge removed the program" test ! -e "$chr/usr/bin/qifu-syncd"
check "purge removed the conffile" test ! -e "$chr/etc/qifu/qifu-syncd.ini"
check "purge kept the database" test -s "$chr/var/lib/qifu/qifu.db"
check "purge said where the database is" grep -q 'database /var/lib/qifu/qifu.db is KEPT' "$work/purge.log"

# The kiosk's maintainer scripts, without its ~200 MB of Depends: dpkg
# --force-depends runs them as on a kiosk (no udev or systemd here).
step "qifu-kiosk maintainer scripts (dpkg --force-depends)"
if in_root dpkg -i --force-depends "/tmp/$(basename "$deb_kiosk")" >"$work/kiosk-inst.log" 2>&1; then
    pass "qifu-kiosk unpacks and configures"
else
    sed 's/^/  /' "$work/kiosk-inst.log"
    fail "dpkg -i qifu-kiosk"
fi
check "/var/lib/qifu/kiosk is qifu:qifu 700" test "$(perm /var/lib/qifu/kiosk)" = "qifu:qifu 700"
check "/etc/qifu/qifu-kiosk.ini (enrollment code) is root:qifu 640" \
    test "$(perm /etc/qifu/qifu-kiosk.ini)" = "root:qifu 640"
as_qifu touch /var/lib/qifu/kiosk/token
in_root dpkg --purge qifu-kiosk >"$work/kiosk-purge.log" 2>&1 || fail "dpkg --purge qifu-kiosk"
check "purge of qifu-kiosk keeps the kiosk's token" test -e "$chr/var/lib/qifu/kiosk/token"
check "purge of qifu-kiosk removes its PAM file" test ! -e "$chr/etc/pam.d/qifu-kiosk"

# --- 7. unit files --------------------------------------------------------------------------
step "systemd-analyze verify the unit files"
dpkg-deb -x "$deb_syncd" "$work/units"
dpkg-deb -x "$deb_kiosk" "$work/units"
# verify resolves ExecStart binaries and the units ours name (sysinit,
# network-online, graphical.target …) inside --root: give it the host's
# unit files, a real kill and a stand-in for cage (not installed here).
cp -an /lib/systemd/system/. "$work/units/lib/systemd/system/"
mkdir -p "$work/units/bin"
cp /usr/bin/kill "$work/units/bin/kill"
printf '#!/bin/sh\nexit 0\n' >"$work/units/usr/bin/cage"
chmod 0755 "$work/units/usr/bin/cage"
for u in qifu-syncd.service qifu-kiosk.service qifu-kiosk-health.service qifu-kiosk-health.timer; do
    # verify exits 0 on unknown keys; any message naming the unit fails it.
    if systemd-analyze verify --root="$work/units" "/lib/systemd/system/$u" >"$work/verify.log" 2>&1 &&
            ! grep -q "$u" "$work/verify.log"; then
        pass "systemd-analyze verify $u"
    else
        sed 's/^/  /' "$work/verify.log"
        fail "systemd-analyze verify $u"
    fi
done
exposure=$(systemd-analyze security --offline=yes --root="$work/units" \
    /lib/systemd/system/qifu-syncd.service 2>/dev/null |
    sed -n 's/.*Overall exposure level for qifu-syncd.service: \([0-9.]*\).*/\1/p')
check "qifu-syncd.service sandbox: systemd-analyze security exposure ${exposure:-?} <= 2.0 (0 best, 10 worst)" \
    awk -v e="${exposure:-99}" 'BEGIN { exit !(e <= 2.0) }'

step "done"
if [ "$failures" -ne 0 ]; then
    echo "test-packages: $failures check(s) FAILED"
    exit 1
fi
echo "test-packages: all checks passed in $(($(date +%s) - t0)) s"
