# Runs one libFuzzer target for a bounded time on a fresh copy of its seed corpus (cmake -P script for ctest).
#   -DFUZZER=<binary> -DSEED_DIR=<seeds, read only> -DDICT=<dictionary, optional> -DWORK_DIR=<build-tree dir>
#   -DSECONDS=<budget> -DMAX_LEN=<bytes>
# Nothing is written outside WORK_DIR: the corpus grows in WORK_DIR/corpus and crash inputs go to
# WORK_DIR/artifacts. Fails on a non-zero exit (crash, sanitizer report, abort on a broken invariant).
foreach(_var IN ITEMS FUZZER SEED_DIR WORK_DIR SECONDS MAX_LEN)
  if(NOT DEFINED ${_var} OR "${${_var}}" STREQUAL "")
    message(FATAL_ERROR "run_fuzzer.cmake: ${_var} is not set")
  endif()
endforeach()
if(NOT EXISTS "${FUZZER}")
  message(FATAL_ERROR "fuzz target ${FUZZER} is not built (build the allowdrift_fuzzers target)")
endif()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}/corpus" "${WORK_DIR}/artifacts")
file(GLOB _seeds LIST_DIRECTORIES false "${SEED_DIR}/*")
list(LENGTH _seeds _seed_count)
if(_seed_count EQUAL 0)
  message(FATAL_ERROR "no seed inputs in ${SEED_DIR}")
endif()
file(COPY ${_seeds} DESTINATION "${WORK_DIR}/corpus")

set(_args
  -max_total_time=${SECONDS}
  -rss_limit_mb=2048
  -max_len=${MAX_LEN}
  -timeout=10
  -print_final_stats=1
  -artifact_prefix=${WORK_DIR}/artifacts/)
if(DEFINED DICT AND EXISTS "${DICT}")
  list(APPEND _args -dict=${DICT})
endif()

list(JOIN _args " " _shown)
message(STATUS "${_seed_count} seeds; running ${FUZZER} ${_shown} ${WORK_DIR}/corpus")
execute_process(
  COMMAND "${FUZZER}" ${_args} "${WORK_DIR}/corpus"
  WORKING_DIRECTORY "${WORK_DIR}"
  RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  file(GLOB _artifacts "${WORK_DIR}/artifacts/*")
  message(FATAL_ERROR "fuzzer failed (exit ${_rc}); reproducer(s): ${_artifacts}\n"
                      "Replay with: ${FUZZER} <file>")
endif()
