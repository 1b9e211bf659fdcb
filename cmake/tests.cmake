# Engine tests: every tests/engine/**/*.cpp in one doctest binary, one ctest entry per file
# so a failure names its suite.
find_package(doctest REQUIRED)
file(GLOB_RECURSE OBS_ENGINE_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/engine/*.cpp)
add_executable(engine_tests ${CMAKE_SOURCE_DIR}/tests/doctest_main.cpp ${OBS_ENGINE_TESTS})
target_link_libraries(engine_tests PRIVATE obs_engine doctest::doctest)
# The golden-hash table keys its expected values by the build type and the CPU that -march=native
# chose (thread_invariance.cpp): two AVX-512 Xeons of this pool gave different hashes for the same
# build, the instruction-set macros being equal. GCC names the CPU; elsewhere it is "unknown".
set(OBS_TARGET_CPU "unknown")
if(OBS_NATIVE AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  execute_process(COMMAND ${CMAKE_CXX_COMPILER} -march=native -Q --help=target OUTPUT_VARIABLE obs_target_help ERROR_QUIET)
  if(obs_target_help MATCHES "-march=[ \t]+([A-Za-z0-9_.-]+)")
    set(OBS_TARGET_CPU "${CMAKE_MATCH_1}")
  endif()
endif()
target_compile_definitions(engine_tests PRIVATE OBS_SOURCE_DIR="${CMAKE_SOURCE_DIR}" OBS_BUILD_TYPE="${CMAKE_BUILD_TYPE}"
                                                OBS_TARGET_CPU="${OBS_TARGET_CPU}")
foreach(test_file ${OBS_ENGINE_TESTS})
  get_filename_component(suite ${test_file} NAME_WE)
  if(suite MATCHES "_support$")
    continue()
  endif()
  add_test(NAME engine.${suite} COMMAND engine_tests --source-file=*${suite}.cpp)
endforeach()

if(OBS_BUILD_APP)
  # App tests drive the real binary (exit codes, files, screenshots under Xvfb).
  file(GLOB OBS_APP_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/app/*.cpp)
  add_executable(app_tests ${CMAKE_SOURCE_DIR}/tests/doctest_main.cpp ${OBS_APP_TESTS})
  target_link_libraries(app_tests PRIVATE obs_app doctest::doctest)
  target_compile_definitions(app_tests PRIVATE OBS_BINARY="$<TARGET_FILE:observatory>")
  add_dependencies(app_tests observatory)
  foreach(test_file ${OBS_APP_TESTS})
    get_filename_component(suite ${test_file} NAME_WE)
    if(suite MATCHES "_support$|_driver$")  # helpers for the suites, no test cases of their own
      continue()
    endif()
    add_test(NAME app.${suite} COMMAND app_tests --source-file=*${suite}.cpp)
  endforeach()
endif()

# The lazy-oracle instrument end to end on a small cube: with the dense engine the engine's count
# is the dense count (ratio exactly 1.000), and the run reaches its epoch.
add_test(NAME tools.cube_lazy_oracle
         COMMAND cube_lazy_oracle ${CMAKE_SOURCE_DIR}/scenes/cube_lazy.json --epochs 1 --set n=6 --set batch=16
                 --set train_size=64 --set test_size=32 --set engine=dense)
set_tests_properties(tools.cube_lazy_oracle PROPERTIES
                     PASS_REGULAR_EXPRESSION "\nall +[0-9]+ +[0-9.e+]+ +[0-9.e+]+ +[0-9.e+]+ +1\\.000 +[0-9.]+\nepochs 1,")

# The memory instrument end to end on small nets: every row printed, and EqProp's peak the same
# at T and 10T sweeps (the tool prints FAIL instead of the last line otherwise; CMake's regex has
# no {n}, hence the spelled-out columns).
add_test(NAME tools.eqprop_depth_memory
         COMMAND eqprop_depth_memory --depths 1,3 --units 32 --batch 4 --sweeps 5)
set_tests_properties(tools.eqprop_depth_memory PROPERTIES
                     PASS_REGULAR_EXPRESSION "\n +1 +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+\n +3 +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+\neqprop's peak is the same")
