# Packaging: man pages and bash/zsh/fish completions generated from the built binary's --help and
# explain texts (packaging/gen_docs.py), their install rules, the systemd unit and auditd plugin
# config from docs/deploy/, and the Debian package (`cpack -G DEB` in the build tree).
find_package(Python3 COMPONENTS Interpreter)
# Off by default in sanitizer and fuzz trees: the generator runs the binary they build.
if(Python3_Interpreter_FOUND AND NOT TOCSIN_SANITIZE AND NOT TOCSIN_TSAN AND NOT TOCSIN_BUILD_FUZZ)
  set(tocsin_docs_default ON)
else()
  set(tocsin_docs_default OFF)
endif()
option(TOCSIN_GENERATE_DOCS "Generate man pages and shell completions from the built tocsin" ${tocsin_docs_default})
set(TOCSIN_DEB_MAINTAINER "tocsin developers <dev@tocsin.invalid>" CACHE STRING "Maintainer field of the .deb")

set(TOCSIN_PKG_DIR ${CMAKE_BINARY_DIR}/generated/pkg)
set(TOCSIN_DEB_VERSION ${PROJECT_VERSION}-1)
# Debian layout: /usr/bin/tocsin (CPack's default prefix /usr), documentation under /usr/share/doc.
set(TOCSIN_PKG_BIN /usr/bin/tocsin)

if(TOCSIN_GENERATE_DOCS)
  set(gen ${CMAKE_SOURCE_DIR}/packaging/gen_docs.py)
  add_custom_command(
    OUTPUT ${TOCSIN_PKG_DIR}/docs.stamp
    COMMAND ${CMAKE_COMMAND} -E rm -rf ${TOCSIN_PKG_DIR}/man ${TOCSIN_PKG_DIR}/completions
    COMMAND Python3::Interpreter ${gen} $<TARGET_FILE:tocsin> ${TOCSIN_PKG_DIR}
    COMMAND ${CMAKE_COMMAND} -E touch ${TOCSIN_PKG_DIR}/docs.stamp
    DEPENDS tocsin ${gen}
    COMMENT "Generating man pages and shell completions from tocsin --help"
    VERBATIM)
  configure_file(${CMAKE_SOURCE_DIR}/packaging/debian/changelog.in ${TOCSIN_PKG_DIR}/changelog.Debian @ONLY)
  add_custom_command(
    OUTPUT ${TOCSIN_PKG_DIR}/changelog.Debian.gz
    COMMAND Python3::Interpreter ${gen} --gzip ${TOCSIN_PKG_DIR}/changelog.Debian ${TOCSIN_PKG_DIR}/changelog.Debian.gz
    DEPENDS ${TOCSIN_PKG_DIR}/changelog.Debian ${gen}
    VERBATIM)
  add_custom_target(tocsin_docs ALL DEPENDS ${TOCSIN_PKG_DIR}/docs.stamp ${TOCSIN_PKG_DIR}/changelog.Debian.gz)

  install(DIRECTORY ${TOCSIN_PKG_DIR}/man/ DESTINATION share/man/man1 FILES_MATCHING PATTERN "*.1.gz")
  install(DIRECTORY ${TOCSIN_PKG_DIR}/man/ DESTINATION share/man/man7 FILES_MATCHING PATTERN "*.7.gz")
  install(FILES ${TOCSIN_PKG_DIR}/completions/tocsin DESTINATION share/bash-completion/completions)
  install(FILES ${TOCSIN_PKG_DIR}/completions/_tocsin DESTINATION share/zsh/vendor-completions)
  install(FILES ${TOCSIN_PKG_DIR}/completions/tocsin.fish DESTINATION share/fish/vendor_completions.d)
  install(FILES ${TOCSIN_PKG_DIR}/changelog.Debian.gz ${CMAKE_SOURCE_DIR}/packaging/debian/copyright
          DESTINATION share/doc/tocsin)
  install(FILES ${CMAKE_SOURCE_DIR}/packaging/debian/lintian-overrides DESTINATION share/lintian/overrides RENAME tocsin)
endif()

# The deploy files name /usr/local/bin/tocsin (a manual install); the package's binary is
# /usr/bin/tocsin. The auditd plugin is installed inactive: a package must not start a program
# inside auditd on install; the admin sets active = yes (as audispd-plugins does for its plugins).
foreach(f tocsin-watch.service tocsin-audisp.conf)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/docs/deploy/${f})
  file(READ ${CMAKE_SOURCE_DIR}/docs/deploy/${f} text)
  string(REPLACE "/usr/local/bin/tocsin" "${TOCSIN_PKG_BIN}" text "${text}")
  if(f STREQUAL "tocsin-watch.service")
    string(REPLACE "\n[Service]" "Documentation=man:tocsin-watch(1)\n\n[Service]" text "${text}")
  endif()
  if(f STREQUAL "tocsin-audisp.conf")
    string(REPLACE "active = yes" "# Installed inactive by the tocsin package: set active = yes and restart auditd.\nactive = no" text "${text}")
  endif()
  file(WRITE ${TOCSIN_PKG_DIR}/${f} "${text}")
endforeach()
install(FILES ${TOCSIN_PKG_DIR}/tocsin-watch.service DESTINATION /lib/systemd/system)
install(FILES ${TOCSIN_PKG_DIR}/tocsin-audisp.conf DESTINATION /etc/audit/plugins.d RENAME tocsin.conf)

set(CPACK_PACKAGE_NAME tocsin)
set(CPACK_PACKAGE_VENDOR "tocsin developers")
set(CPACK_PACKAGE_CONTACT "${TOCSIN_DEB_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "finds time-of-check/time-of-use races around containers")
# Lines under 80 columns (lintian); CPack indents them and turns empty lines into " .".
string(JOIN "\n" CPACK_PACKAGE_DESCRIPTION
  "tocsin catches time-of-check/time-of-use races around containers:"
  " - tocsin scan: Dockerfiles, Compose files, Kubernetes manifests, shell"
  "   scripts and CI files, for the patterns that open a race window;"
  " - tocsin hunt and tocsin watch: Linux audit logs, offline or live, for"
  "   docker cp and podman cp symlink-swap races (CVE-2018-15664 and its"
  "   relatives) and runtime escapes, with a coverage verdict per rule;"
  " - tocsin verify: a race-free integrity check of a configuration file."
  ""
  "Reports as text, JSON, SARIF and the formats CI systems read. It holds"
  "man pages, bash/zsh/fish completions, a systemd unit for tocsin watch"
  "(not enabled) and an auditd plugin configuration (inactive).")
set(CPACK_PACKAGE_HOMEPAGE_URL "")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${TOCSIN_DEB_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${CMAKE_SOURCE_DIR}/packaging/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# Absolute destinations (/etc, /lib/systemd) are where Debian wants these files.
set(CPACK_WARN_ON_ABSOLUTE_INSTALL_DESTINATION OFF)
include(CPack)
