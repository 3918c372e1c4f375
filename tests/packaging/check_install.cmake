# Installs the build into a scratch prefix and checks the layout a package ships: the binary,
# kpipe.1.gz and every kpipe-*.1.gz from man/, copyright and changelog.gz, and the bash and zsh completions.
# Usage: cmake -DBUILD_DIR=... -DSOURCE_DIR=... -DPREFIX=... -DBINDIR=... -DMANDIR=...
#        -DDATADIR=... -DDOCDIR=... -P check_install.cmake (the directories as GNUInstallDirs set them)
cmake_minimum_required(VERSION 3.25)
file(REMOVE_RECURSE ${PREFIX})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${PREFIX}
                RESULT_VARIABLE status OUTPUT_QUIET)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "cmake --install failed: ${status}")
endif()

set(expected
    ${BINDIR}/kpipe
    ${DOCDIR}/copyright
    ${DOCDIR}/changelog.gz
    ${DATADIR}/bash-completion/completions/kpipe
    ${DATADIR}/zsh/vendor-completions/_kpipe)
file(GLOB pages RELATIVE ${SOURCE_DIR}/man ${SOURCE_DIR}/man/*.1)
list(LENGTH pages page_count)
if(page_count LESS 7 OR NOT "kpipe.1" IN_LIST pages)
  message(FATAL_ERROR "man/ should hold kpipe.1 and one page per subcommand; found: ${pages}")
endif()
foreach(page ${pages})
  list(APPEND expected ${MANDIR}/man1/${page}.gz)
endforeach()

set(missing "")
foreach(path ${expected})
  if(NOT EXISTS ${PREFIX}/${path})
    list(APPEND missing ${path})
  endif()
endforeach()
file(REMOVE_RECURSE ${PREFIX})
if(missing)
  message(FATAL_ERROR "not installed under the prefix: ${missing}")
endif()
message(STATUS "installed: ${expected}")
