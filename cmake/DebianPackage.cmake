# `cpack -G DEB` (after a build) makes kpipe_<version>_amd64.deb from the install rules: the
# binary (stripped), the gzipped man pages, the bash and zsh completions, and the copyright and
# changelog Debian policy asks for. Dependencies come from the binary (dpkg-shlibdeps, package
# dpkg-dev). tests/packaging/check_deb.sh builds it, checks its contents and runs lintian.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME kpipe)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "kpipe maintainers <maintainers@kpipe.dev>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "command-line toolkit for Apache Kafka with jq filters")
set(CPACK_PACKAGE_DESCRIPTION
    "kpipe produces, consumes and transforms Apache Kafka records from the\n"
    "command line. Its transform subcommand filters and reshapes records with\n"
    "a jq filter, writes them to another topic and routes what it cannot\n"
    "process to a dead-letter topic, without losing or duplicating records.\n"
    "It also replays dead letters, checks topics, and runs an embedded\n"
    "development cluster (librdkafka's mock cluster).")
string(REPLACE ";" "" CPACK_PACKAGE_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_STRIP_FILES ON)
# Debian policy: directories 0755, files 0644 (0755 for the binary), whatever the umask.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CMAKE_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS ${CMAKE_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
include(CPack)
