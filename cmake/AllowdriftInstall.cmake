# What `cmake --install` puts where, in the GNUInstallDirs layout:
#
#   bin/allowdrift
#   lib/systemd/system/allowdrift.service, allowdrift-once.service, allowdrift-once.timer  (ALLOWDRIFT_SYSTEMD_UNIT_DIR)
#   etc/allowdrift/allowdrift.toml.example, etc/allowdrift/example/   (never allowdrift.toml: that is the admin's)
#   share/allowdrift/presets/*.toml, share/allowdrift/migrations/*.sql (reference copies: both are built in)
#   share/doc/allowdrift/README.md
#
# For a system install configure with -DCMAKE_INSTALL_PREFIX=/usr -DCMAKE_INSTALL_SYSCONFDIR=/etc (what Debian's
# debhelper passes): the units then start /usr/bin/allowdrift and the example lands beside the config the daemon
# reads, /etc/allowdrift/allowdrift.toml (ConfigurationDirectory=allowdrift is always under /etc). The units name
# the binary by the path known at configure time; `cmake --install --prefix` elsewhere moves the files, not that.
if(NOT TARGET allowdrift)
  return()  # ALLOWDRIFT_CORE_ONLY: nothing to install
endif()

# Not CMAKE_INSTALL_LIBDIR: that is lib/x86_64-linux-gnu on Debian, and systemd looks in lib/systemd/system under
# /usr, /usr/local and / alike.
set(ALLOWDRIFT_SYSTEMD_UNIT_DIR "lib/systemd/system" CACHE STRING
    "Where the systemd units go: relative to the install prefix, or absolute")

install(TARGETS allowdrift RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# The units, with the installed binary's path filled in. Tests check these generated files (tests/integration/
# systemd/check_units.sh).
set(ALLOWDRIFT_BIN "${CMAKE_INSTALL_FULL_BINDIR}/allowdrift")
set(ALLOWDRIFT_DOCDIR "${CMAKE_INSTALL_FULL_DOCDIR}")
set(ALLOWDRIFT_UNITS_DIR "${PROJECT_BINARY_DIR}/systemd")
configure_file(${PROJECT_SOURCE_DIR}/systemd/allowdrift.service.in ${ALLOWDRIFT_UNITS_DIR}/allowdrift.service @ONLY)
configure_file(${PROJECT_SOURCE_DIR}/systemd/allowdrift-once.service.in ${ALLOWDRIFT_UNITS_DIR}/allowdrift-once.service
               @ONLY)
configure_file(${PROJECT_SOURCE_DIR}/systemd/allowdrift-once.timer ${ALLOWDRIFT_UNITS_DIR}/allowdrift-once.timer
               COPYONLY)
install(FILES ${ALLOWDRIFT_UNITS_DIR}/allowdrift.service ${ALLOWDRIFT_UNITS_DIR}/allowdrift-once.service
              ${ALLOWDRIFT_UNITS_DIR}/allowdrift-once.timer
        DESTINATION ${ALLOWDRIFT_SYSTEMD_UNIT_DIR})

# The example config, under a name no admin uses, with the small lists its default target reads (example/...,
# relative to the config file).
if(EXISTS ${PROJECT_SOURCE_DIR}/config/allowdrift.toml)
  install(FILES ${PROJECT_SOURCE_DIR}/config/allowdrift.toml
          DESTINATION ${CMAKE_INSTALL_SYSCONFDIR}/allowdrift RENAME allowdrift.toml.example)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/config/example/ DESTINATION ${CMAKE_INSTALL_SYSCONFDIR}/allowdrift/example)
else()
  message(STATUS "config/allowdrift.toml not found: the example config is not installed")
endif()

install(DIRECTORY ${PROJECT_SOURCE_DIR}/config/presets/ DESTINATION ${CMAKE_INSTALL_DATADIR}/allowdrift/presets
        FILES_MATCHING PATTERN "*.toml")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/migrations/ DESTINATION ${CMAKE_INSTALL_DATADIR}/allowdrift/migrations
        FILES_MATCHING PATTERN "*.sql")
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
