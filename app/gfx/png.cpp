#include "gfx/png.hpp"

#include <stb_image_write.h>

#include <ostream>
#include <stdexcept>

#include "core/atomic_file.hpp"

namespace obs::gfx {

void write_png(const std::string& path, const Image& img) {
  if (img.width <= 0 || img.height <= 0) throw std::runtime_error("cannot write an empty image to " + path);
  write_file_atomically(path, [&](std::ostream& out) {
    auto sink = [](void* ctx, void* data, int size) {
      static_cast<std::ostream*>(ctx)->write(static_cast<const char*>(data), size);
    };
    if (!stbi_write_png_to_func(sink, &out, img.width, img.height, 4, img.rgba.data(), img.width * 4))
      throw std::runtime_error("PNG encoding failed for " + path);
  });
}

}  // namespace obs::gfx
