# libFuzzer targets (OBS_BUILD_FUZZ). Everything in this tree, the engine included, is built with
# AddressSanitizer and UndefinedBehaviorSanitizer and with libFuzzer's coverage hooks, so a bug
# deep in a system's reset is found as well as one in the loader itself. Only the fuzzer binary
# links libFuzzer's main (-fsanitize=fuzzer); the library gets the hooks alone (fuzzer-no-link).
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "OBS_BUILD_FUZZ needs clang (libFuzzer): configure a separate build dir with "
                      "-DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang, e.g. scripts/fuzz")
endif()
# UBSan findings must stop the run, or the fuzzer would report them and carry on.
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
                    -fno-omit-frame-pointer -g)
add_link_options(-fsanitize=address,undefined)

function(obs_add_fuzz_targets)
  add_executable(scene_fuzzer ${CMAKE_SOURCE_DIR}/tests/fuzz/scene_fuzzer.cpp)
  target_link_libraries(scene_fuzzer PRIVATE obs_engine)
  target_link_options(scene_fuzzer PRIVATE -fsanitize=fuzzer)
endfunction()
