#pragma once
#include <string>

#include "gfx/framebuffer.hpp"

namespace obs::gfx {

// Writes an RGBA PNG atomically (temp + rename); throws std::runtime_error naming the path.
void write_png(const std::string& path, const Image& img);

}  // namespace obs::gfx
