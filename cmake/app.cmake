# The Observatory app: GLFW + Dear ImGui 1.86 (Debian's static core) + OpenGL 3.3 core via
# libepoxy. Debian ships ImGui's GLFW and OpenGL3 backends as sources; they are compiled in
# here, with epoxy forced in as their GL loader (IMGUI_IMPL_OPENGL_LOADER_CUSTOM).
find_package(glfw3 3.3 REQUIRED)
pkg_check_modules(EPOXY REQUIRED IMPORTED_TARGET epoxy)
find_library(IMGUI_LIB imgui REQUIRED)
find_library(STB_LIB stb REQUIRED)
set(IMGUI_BACKENDS /usr/share/doc/libimgui-dev/examples/backends)
if(NOT EXISTS ${IMGUI_BACKENDS}/imgui_impl_glfw.cpp)
  message(FATAL_ERROR "ImGui backends not found in ${IMGUI_BACKENDS}: install libimgui-dev (scripts/setup)")
endif()

add_library(imgui_backends STATIC ${IMGUI_BACKENDS}/imgui_impl_glfw.cpp ${IMGUI_BACKENDS}/imgui_impl_opengl3.cpp)
target_include_directories(imgui_backends PUBLIC /usr/include/imgui /usr/include/imgui/backends)
# GLFW_INCLUDE_NONE: epoxy, not GLFW, provides the GL declarations.
target_compile_definitions(imgui_backends PUBLIC IMGUI_IMPL_OPENGL_LOADER_CUSTOM GLFW_INCLUDE_NONE)
target_compile_options(imgui_backends PRIVATE -include epoxy/gl.h -w)  # third-party sources: not ours to warn about
target_link_libraries(imgui_backends PUBLIC ${IMGUI_LIB} glfw PkgConfig::EPOXY)

# Shaders and assets are embedded at build time, so the binary runs from anywhere.
function(obs_embed OUT FUNCTION ROOT)
  string(REPLACE ";" "|" files "${ARGN}")  # one argument through the command line
  add_custom_command(
    OUTPUT ${OUT}
    COMMAND ${CMAKE_COMMAND} -DOUT=${OUT} -DFUNCTION=${FUNCTION} -DROOT=${ROOT} -DFILES=${files}
            -P ${CMAKE_SOURCE_DIR}/cmake/embed_files.cmake
    DEPENDS ${ARGN} ${CMAKE_SOURCE_DIR}/cmake/embed_files.cmake
    COMMENT "Embedding ${FUNCTION} files"
    VERBATIM)
endfunction()
file(GLOB OBS_SHADERS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/shaders/*.vert ${CMAKE_SOURCE_DIR}/shaders/*.frag)
file(GLOB_RECURSE OBS_ASSETS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/assets/*.csv)
set(OBS_SHADER_CPP ${CMAKE_BINARY_DIR}/generated/embedded_shaders.cpp)
set(OBS_ASSET_CPP ${CMAKE_BINARY_DIR}/generated/embedded_assets.cpp)
obs_embed(${OBS_SHADER_CPP} embedded_shader ${CMAKE_SOURCE_DIR}/shaders ${OBS_SHADERS})
obs_embed(${OBS_ASSET_CPP} embedded_asset ${CMAKE_SOURCE_DIR}/assets ${OBS_ASSETS})

# Everything but main() is a library, so app tests can drive a real App in-process.
file(GLOB_RECURSE OBS_APP_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/app/*.cpp)
list(REMOVE_ITEM OBS_APP_SOURCES ${CMAKE_SOURCE_DIR}/app/main.cpp)
add_library(obs_app STATIC ${OBS_APP_SOURCES} ${OBS_SHADER_CPP} ${OBS_ASSET_CPP})
target_include_directories(obs_app PUBLIC ${CMAKE_SOURCE_DIR}/app /usr/include/stb)
target_compile_definitions(obs_app PUBLIC OBS_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
target_link_libraries(obs_app PUBLIC obs_engine imgui_backends ${STB_LIB})

add_executable(observatory ${CMAKE_SOURCE_DIR}/app/main.cpp)
target_link_libraries(observatory PRIVATE obs_app)
# build/observatory, as the README promises
set_target_properties(observatory PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
