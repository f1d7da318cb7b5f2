# QifuPackaging.cmake — install() rules and CPack settings for the Debian
# packages a district installs:
#   qifu-common  (all)   shared data under /usr/share/qifu, the `qifu` user
#   qifu-syncd   (arch)  qifu-syncd + qifu-ctl, /etc/qifu/qifu-syncd.ini,
#                        the hardened systemd unit, the certificate script
#   qifu-kiosk   (arch)  qifu-kiosk, its cage session unit, the nightly
#                        health timer, udev rules for printer and scanner
# Included last from the top-level CMakeLists.txt. It only describes where
# files go; the maintainer scripts in packaging/deb/ own users, state folders
# and the database's lifetime.
#
# Why three packages and not two: both programs need the same data files
# (holidays, catalog, the font link) and dpkg refuses two packages shipping
# one path, so the data lives in qifu-common, which both depend on.
#
# Build packages from a dedicated tree (packaging/test-packages.sh does):
#   cmake -S . -B build-pkg -DCMAKE_BUILD_TYPE=Release -DQIFU_TESTS=OFF \
#         -DCMAKE_INSTALL_PREFIX=/usr -DQIFU_DATA_DIR=/usr/share/qifu
#   cmake --build build-pkg && (cd build-pkg && cpack -G DEB)
# QIFU_DATA_DIR is compiled into the programs (QF_DATA_DIR), so a package
# built without it would look for data in the source tree: warned below.

include(GNUInstallDirs)

set(QIFU_PKG_DIR ${CMAKE_SOURCE_DIR}/packaging)
set(QIFU_PKG_DATADIR ${CMAKE_INSTALL_DATADIR}/qifu)   # relative: share/qifu
# bookworm's dh_installsystemd/dh_installudev still use /lib (not /usr/lib).
set(QIFU_PKG_UNITDIR /lib/systemd/system)
set(QIFU_PKG_UDEVDIR /lib/udev/rules.d)
set(QIFU_PKG_LIBEXEC ${CMAKE_INSTALL_LIBEXECDIR}/qifu)

if(NOT QIFU_DATA_DIR STREQUAL "${CMAKE_INSTALL_PREFIX}/${QIFU_PKG_DATADIR}")
  message(STATUS "qifu packaging: QIFU_DATA_DIR is ${QIFU_DATA_DIR}; packages built from this "
                 "tree would look for their data there, not in "
                 "${CMAKE_INSTALL_PREFIX}/${QIFU_PKG_DATADIR} (pass -DQIFU_DATA_DIR=...)")
endif()

# --- programs ------------------------------------------------------------------
install(TARGETS qifu-syncd qifu-ctl RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT syncd)
install(TARGETS qifu-kiosk RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT kiosk)

# --- qifu-common: data ---------------------------------------------------------
# The READMEs (catalog schema, where the calendars come from) go to
# /usr/share/doc/qifu-common, where Debian looks for documentation.
install(DIRECTORY ${CMAKE_SOURCE_DIR}/assets/ DESTINATION ${QIFU_PKG_DATADIR}/assets
        COMPONENT common PATTERN README.md EXCLUDE)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/config/holidays/ DESTINATION ${QIFU_PKG_DATADIR}/holidays
        COMPONENT common PATTERN README.md EXCLUDE)
install(FILES ${CMAKE_SOURCE_DIR}/assets/catalog/README.md
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/qifu-common RENAME catalog.md COMPONENT common)
install(FILES ${CMAKE_SOURCE_DIR}/config/holidays/README.md
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/qifu-common RENAME holidays.md COMPONENT common)
# The programs read DATA_DIR/config/holidays (qifu-ctl) and DATA_DIR/fonts/
# NotoSansCJK-Regular.ttc; links keep those paths valid without a copy of
# Debian's 19 MB font (fonts-noto-cjk ships the same file).
set(QIFU_PKG_LINKS ${CMAKE_BINARY_DIR}/pkg/links)
file(MAKE_DIRECTORY ${QIFU_PKG_LINKS}/config ${QIFU_PKG_LINKS}/fonts)
file(CREATE_LINK ../holidays ${QIFU_PKG_LINKS}/config/holidays SYMBOLIC)
file(CREATE_LINK ../../fonts/opentype/noto/NotoSansCJK-Regular.ttc
     ${QIFU_PKG_LINKS}/fonts/NotoSansCJK-Regular.ttc SYMBOLIC)
install(DIRECTORY ${QIFU_PKG_LINKS}/ DESTINATION ${QIFU_PKG_DATADIR} COMPONENT common)

# --- qifu-syncd: config, unit, certificate script -----------------------------
install(FILES ${QIFU_PKG_DIR}/deb/etc/qifu-syncd.ini DESTINATION /etc/qifu COMPONENT syncd)
install(FILES ${QIFU_PKG_DIR}/systemd/qifu-syncd.service DESTINATION ${QIFU_PKG_UNITDIR}
        COMPONENT syncd)
install(PROGRAMS ${QIFU_PKG_DIR}/certs/qifu-certs DESTINATION ${QIFU_PKG_LIBEXEC} COMPONENT syncd)

# --- qifu-kiosk: config, PAM session, units, udev, health check ---------------
install(FILES ${QIFU_PKG_DIR}/deb/etc/qifu-kiosk.ini DESTINATION /etc/qifu COMPONENT kiosk)
install(FILES ${QIFU_PKG_DIR}/deb/etc/pam.d/qifu-kiosk DESTINATION /etc/pam.d COMPONENT kiosk)
install(FILES ${QIFU_PKG_DIR}/systemd/qifu-kiosk.service
              ${QIFU_PKG_DIR}/systemd/qifu-kiosk-health.service
              ${QIFU_PKG_DIR}/systemd/qifu-kiosk-health.timer
        DESTINATION ${QIFU_PKG_UNITDIR} COMPONENT kiosk)
install(FILES ${QIFU_PKG_DIR}/udev/60-qifu-devices.rules DESTINATION ${QIFU_PKG_UDEVDIR}
        COMPONENT kiosk)
install(PROGRAMS ${QIFU_PKG_DIR}/systemd/qifu-kiosk-health DESTINATION ${QIFU_PKG_LIBEXEC}
        COMPONENT kiosk)

# --- /usr/share/doc/<package>: copyright, changelog, operations ---------------
# Native packages (version without a Debian revision) carry changelog.gz;
# gzip -n keeps the archive reproducible (no name or time stamp inside).
find_program(QIFU_GZIP gzip REQUIRED)
foreach(pkg common syncd kiosk)
  set(QIFU_PKG_NAME qifu-${pkg})
  configure_file(${QIFU_PKG_DIR}/deb/changelog.in ${CMAKE_BINARY_DIR}/pkg/${pkg}/changelog @ONLY)
  execute_process(COMMAND ${QIFU_GZIP} -9nf ${CMAKE_BINARY_DIR}/pkg/${pkg}/changelog
                  RESULT_VARIABLE QIFU_GZIP_RC)
  if(QIFU_GZIP_RC)
    message(FATAL_ERROR "qifu packaging: gzip of the ${pkg} changelog failed")
  endif()
  install(FILES ${QIFU_PKG_DIR}/deb/copyright ${CMAKE_BINARY_DIR}/pkg/${pkg}/changelog.gz
          DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/qifu-${pkg} COMPONENT ${pkg})
endforeach()
install(FILES ${QIFU_PKG_DIR}/OPERATIONS.md DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/qifu-syncd
        COMPONENT syncd)
install(FILES ${QIFU_PKG_DIR}/OPERATIONS.md DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/qifu-kiosk
        COMPONENT kiosk)

# --- CPack ---------------------------------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME qifu)
set(CPACK_PACKAGE_VENDOR "Qiantang District Government IT")
set(CPACK_PACKAGE_CONTACT "Qiantang District IT <qifu-it@qiantang.gov.cn>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL common syncd kiosk)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://qifu.qiantang.gov.cn/")

set(CPACK_COMPONENT_SYNCD_DEPENDS common)
set(CPACK_COMPONENT_KIOSK_DEPENDS common)

set(CPACK_DEBIAN_COMMON_PACKAGE_NAME qifu-common)
set(CPACK_DEBIAN_COMMON_PACKAGE_ARCHITECTURE all)
set(CPACK_DEBIAN_COMMON_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_COMMON_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_COMMON_PACKAGE_SHLIBDEPS OFF)
set(CPACK_COMPONENT_COMMON_DESCRIPTION
    "shared data for the qifu service-hall kiosk system
Working-day calendars (State Council holiday notices), the service catalog
shipped with this release and the link to the Noto Sans CJK font, used by
qifu-syncd, qifu-ctl and qifu-kiosk. Creates the qifu system user.")

set(CPACK_DEBIAN_SYNCD_PACKAGE_NAME qifu-syncd)
set(CPACK_DEBIAN_SYNCD_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_SYNCD_PACKAGE_RECOMMENDS "fonts-noto-cjk, sqlite3")
set(CPACK_DEBIAN_SYNCD_PACKAGE_SUGGESTS "gnutls-bin")
set(CPACK_COMPONENT_SYNCD_DESCRIPTION
    "central daemon and admin tool of the qifu service-hall kiosks
qifu-syncd serves the service catalog, cases, queues and the kiosk fleet
over HTTPS; qifu-ctl is the operator's command line (catalog import,
device enrollment, staff, cases, reports, backups, certificates).")
set(CPACK_DEBIAN_SYNCD_PACKAGE_CONTROL_EXTRA
    ${QIFU_PKG_DIR}/deb/syncd/conffiles ${QIFU_PKG_DIR}/deb/syncd/postinst
    ${QIFU_PKG_DIR}/deb/syncd/prerm ${QIFU_PKG_DIR}/deb/syncd/postrm)

set(CPACK_DEBIAN_KIOSK_PACKAGE_NAME qifu-kiosk)
set(CPACK_DEBIAN_KIOSK_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_KIOSK_PACKAGE_DEPENDS "cage, fonts-noto-cjk, fonts-dejavu-core, libpam-systemd")
set(CPACK_DEBIAN_KIOSK_PACKAGE_RECOMMENDS "curl")
set(CPACK_COMPONENT_KIOSK_DESCRIPTION
    "touch-screen terminal of the qifu service hall
qifu-kiosk is the fullscreen touch UI of the hall terminals: service
guides, queue tickets, appeals and receipts. It runs under the cage Wayland
compositor on tty1 as the qifu user and syncs its catalog from qifu-syncd.")
set(CPACK_DEBIAN_KIOSK_PACKAGE_CONTROL_EXTRA
    ${QIFU_PKG_DIR}/deb/kiosk/conffiles ${QIFU_PKG_DIR}/deb/kiosk/postinst
    ${QIFU_PKG_DIR}/deb/kiosk/prerm ${QIFU_PKG_DIR}/deb/kiosk/postrm)

set(CPACK_DEBIAN_COMMON_PACKAGE_CONTROL_EXTRA ${QIFU_PKG_DIR}/deb/common/postinst)

include(CPack)
