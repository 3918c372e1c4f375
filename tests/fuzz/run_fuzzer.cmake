# Runs one fuzz target: every seed in CORPUS first, then fuzzing for SECONDS, new inputs going to
# a fresh WORK_DIR (the seed corpus in the source tree is never written). Any crash, leak,
# sanitizer report or failed property fails the test; the input is saved in WORK_DIR as crash-*.
foreach(variable FUZZER CORPUS WORK_DIR SECONDS)
  if(NOT DEFINED ${variable})
    message(FATAL_ERROR "run_fuzzer.cmake needs -D${variable}=...")
  endif()
endforeach()
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR}/corpus)
set(options -max_total_time=${SECONDS} -timeout=20 -rss_limit_mb=2560 -print_final_stats=1
            -artifact_prefix=${WORK_DIR}/)
if(DICTIONARY)
  list(APPEND options -dict=${DICTIONARY})
endif()
execute_process(COMMAND ${FUZZER} ${options} ${WORK_DIR}/corpus ${CORPUS}
                RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "${FUZZER} failed (${result}); the input is in ${WORK_DIR}")
endif()
