// IDX reader (LeCun's MNIST format, also used by Fashion-MNIST): a big-endian header, then raw
// u8 values. zlib's gz* calls read a gzip stream and pass a plain file through unchanged, so one
// code path serves the Debian .gz files and hand-made plain test files alike.
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <sys/stat.h>

#include "core/input_error.hpp"
#include "core/system.hpp"
#include "data/dataset.hpp"

namespace obs::data {
namespace {

constexpr std::uint32_t kMagicImages = 0x00000803;  // u8 values, 3 dimensions
constexpr std::uint32_t kMagicLabels = 0x00000801;  // u8 values, 1 dimension
// One side of an image beyond this is a corrupt header, not a picture anyone trains on here.
constexpr std::uint32_t kMaxSide = 4096;

[[noreturn]] void fail(const std::string& path, const std::string& what) { throw InputError("", what, {}, path); }

struct GzCloser {
  void operator()(gzFile_s* f) const { gzclose(f); }
};
using GzHandle = std::unique_ptr<gzFile_s, GzCloser>;

class IdxFile {
 public:
  explicit IdxFile(const std::string& path) : path_(path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) fail(path, std::string("cannot open: ") + std::strerror(errno));
    if (S_ISDIR(st.st_mode)) fail(path, "is a directory; expected an IDX file");
    file_.reset(gzopen(path.c_str(), "rb"));
    if (!file_) fail(path, std::string("cannot open: ") + std::strerror(errno));
    gzbuffer(file_.get(), 1 << 17);
  }

  const std::string& path() const { return path_; }

  // Reads exactly n bytes or says what was missing: a short read is a truncated file,
  // a zlib error a corrupt stream.
  void read(void* dst, std::size_t n, const char* what) {
    auto* out = static_cast<unsigned char*>(dst);
    std::size_t done = 0;
    while (done < n) {
      const unsigned chunk = static_cast<unsigned>(std::min<std::size_t>(n - done, 1u << 24));
      const int got = gzread(file_.get(), out + done, chunk);
      if (got <= 0) {
        int code = Z_OK;
        const char* msg = gzerror(file_.get(), &code);
        // Z_BUF_ERROR is zlib's "unexpected end of file": a gzip stream cut short.
        if (got == 0 || code == Z_BUF_ERROR)
          fail(path_, std::string("truncated: ") + what + " need " + std::to_string(n) + " bytes, only " +
                          std::to_string(done) + " are there");
        fail(path_, std::string("corrupt gzip stream while reading ") + what + ": " + (msg ? msg : "unknown error"));
      }
      done += static_cast<std::size_t>(got);
    }
  }

  std::uint32_t read_u32(const char* what) {
    std::array<unsigned char, 4> b{};
    read(b.data(), b.size(), what);
    return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | b[3];
  }

 private:
  std::string path_;
  GzHandle file_;
};

std::string hex(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

}  // namespace

Dataset read_idx(const std::string& images_path, const std::string& labels_path, std::size_t max_examples) {
  IdxFile images(images_path), labels(labels_path);

  const std::uint32_t img_magic = images.read_u32("the header");
  if (img_magic != kMagicImages)
    fail(images_path, "bad magic " + hex(img_magic) + "; expected " + hex(kMagicImages) + " (IDX u8 images)");
  const std::uint32_t img_count = images.read_u32("the header");
  const std::uint32_t rows = images.read_u32("the header");
  const std::uint32_t cols = images.read_u32("the header");
  if (rows == 0 || cols == 0 || rows > kMaxSide || cols > kMaxSide)
    fail(images_path, "image size " + std::to_string(rows) + "x" + std::to_string(cols) + " is out of range; expected 1.." +
                          std::to_string(kMaxSide) + " per side");

  const std::uint32_t lab_magic = labels.read_u32("the header");
  if (lab_magic != kMagicLabels)
    fail(labels_path, "bad magic " + hex(lab_magic) + "; expected " + hex(kMagicLabels) + " (IDX u8 labels)");
  const std::uint32_t lab_count = labels.read_u32("the header");
  if (lab_count != img_count)
    fail(labels_path, "holds " + std::to_string(lab_count) + " labels but " + images_path + " holds " +
                          std::to_string(img_count) + " images; expected the same count");

  const std::size_t n = max_examples == 0 ? img_count : std::min<std::size_t>(img_count, max_examples);
  const std::size_t dim = std::size_t{rows} * cols;
  // Refused before anything is allocated: a corrupt header must not become an 80 GB vector.
  const std::uint64_t need = static_cast<std::uint64_t>(n) * (dim * sizeof(float) + 1);
  if (need > memory_budget_bytes())
    fail(images_path, std::to_string(n) + " images of " + std::to_string(rows) + "x" + std::to_string(cols) + " need " +
                          std::to_string(need >> 20) + " MiB, beyond the memory budget of " +
                          std::to_string(memory_budget_bytes() >> 20) + " MiB; lower the example count");

  Dataset d;
  d.name = "idx";
  d.rows = static_cast<int>(rows);
  d.cols = static_cast<int>(cols);
  d.dim = static_cast<int>(dim);
  d.y.resize(n);
  labels.read(d.y.data(), n, "the labels");

  d.x.resize(n * dim);
  // Converted a block at a time so the u8 copy never needs the whole file in memory.
  std::vector<unsigned char> block(std::min<std::size_t>(n * dim, std::size_t{1} << 20));
  for (std::size_t off = 0; off < n * dim; off += block.size()) {
    const std::size_t len = std::min(block.size(), n * dim - off);
    images.read(block.data(), len, "the pixels");
    for (std::size_t i = 0; i < len; ++i) d.x[off + i] = static_cast<float>(block[i]) * (1.0f / 255.0f);
  }

  int max_label = -1;
  for (auto v : d.y) max_label = std::max<int>(max_label, v);
  d.classes = max_label + 1;
  for (int c = 0; c < d.classes; ++c) d.class_names.push_back(std::to_string(c));
  return d;
}

}  // namespace obs::data
