// IDX reading: hand-written files (plain and gzip) read back byte for byte, and every way a file
// can be wrong gives an InputError that names the file and the fault.
#include <doctest/doctest.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "temp_dir.hpp"
#include "core/input_error.hpp"
#include "data/dataset.hpp"

namespace fs = std::filesystem;

namespace {

using test_support::TempDir;

void put_u32(std::string& s, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) s.push_back(static_cast<char>((v >> shift) & 0xff));
}

std::string image_bytes(std::uint32_t count, std::uint32_t rows, std::uint32_t cols, const std::vector<unsigned char>& px,
                        std::uint32_t magic = 0x00000803) {
  std::string s;
  put_u32(s, magic);
  put_u32(s, count);
  put_u32(s, rows);
  put_u32(s, cols);
  s.append(px.begin(), px.end());
  return s;
}

std::string label_bytes(std::uint32_t count, const std::vector<unsigned char>& labels, std::uint32_t magic = 0x00000801) {
  std::string s;
  put_u32(s, magic);
  put_u32(s, count);
  s.append(labels.begin(), labels.end());
  return s;
}

void write_plain(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void write_gz(const std::string& path, const std::string& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  REQUIRE(f != nullptr);
  REQUIRE(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())) == static_cast<int>(bytes.size()));
  REQUIRE(gzclose(f) == Z_OK);
}

// Three 2x3 images whose pixels are 0, 1, ..., 17 scaled: pixel k must come back as k / 255.
struct Small {
  std::vector<unsigned char> px, labels{2, 0, 7};
  Small() {
    for (int k = 0; k < 18; ++k) px.push_back(static_cast<unsigned char>(k * 15));
  }
};

std::string error_of(const std::string& images, const std::string& labels, std::size_t max = 0) {
  try {
    obs::data::read_idx(images, labels, max);
  } catch (const obs::InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("data_idx: plain and gzip files read back the same values") {
  TempDir dir("data_idx");
  Small s;
  write_plain(dir.file("img"), image_bytes(3, 2, 3, s.px));
  write_plain(dir.file("lab"), label_bytes(3, s.labels));
  write_gz(dir.file("img.gz"), image_bytes(3, 2, 3, s.px));
  write_gz(dir.file("lab.gz"), label_bytes(3, s.labels));

  for (const auto& [img, lab] : {std::pair{dir.file("img"), dir.file("lab")}, std::pair{dir.file("img.gz"), dir.file("lab.gz")}}) {
    CAPTURE(img);
    const auto d = obs::data::read_idx(img, lab);
    CHECK(d.size() == 3);
    CHECK(d.rows == 2);
    CHECK(d.cols == 3);
    CHECK(d.dim == 6);
    CHECK(d.classes == 8);  // largest label + 1
    CHECK(d.class_names.size() == 8);
    CHECK(d.y == std::vector<std::uint8_t>{2, 0, 7});
    REQUIRE(d.x.size() == 18);
    for (int k = 0; k < 18; ++k) CHECK(d.x[k] == doctest::Approx(k * 15 / 255.0).epsilon(1e-7));
    CHECK(d.example(2)[5] == doctest::Approx(255 / 255.0));
  }
}

TEST_CASE("data_idx: max_examples keeps the first ones") {
  TempDir dir("data_idx");
  Small s;
  write_gz(dir.file("img.gz"), image_bytes(3, 2, 3, s.px));
  write_gz(dir.file("lab.gz"), label_bytes(3, s.labels));
  const auto d = obs::data::read_idx(dir.file("img.gz"), dir.file("lab.gz"), 2);
  CHECK(d.size() == 2);
  CHECK(d.x.size() == 12);
  CHECK(d.y == std::vector<std::uint8_t>{2, 0});
  CHECK(d.x[11] == doctest::Approx(11 * 15 / 255.0));
}

TEST_CASE("data_idx: faults are named with the file") {
  TempDir dir("data_idx");
  Small s;
  write_plain(dir.file("lab"), label_bytes(3, s.labels));

  SUBCASE("missing file") {
    const auto e = error_of(dir.file("nope"), dir.file("lab"));
    CHECK(e.find(dir.file("nope")) != std::string::npos);
    CHECK(e.find("cannot open") != std::string::npos);
  }
  SUBCASE("bad image magic") {
    write_plain(dir.file("img"), image_bytes(3, 2, 3, s.px, 0x00000801));
    const auto e = error_of(dir.file("img"), dir.file("lab"));
    CHECK(e.find(dir.file("img")) != std::string::npos);
    CHECK(e.find("bad magic 0x00000801") != std::string::npos);
  }
  SUBCASE("bad label magic") {
    write_plain(dir.file("img"), image_bytes(3, 2, 3, s.px));
    write_plain(dir.file("lab2"), label_bytes(3, s.labels, 0x12345678));
    const auto e = error_of(dir.file("img"), dir.file("lab2"));
    CHECK(e.find(dir.file("lab2")) != std::string::npos);
    CHECK(e.find("bad magic 0x12345678") != std::string::npos);
  }
  SUBCASE("counts disagree") {
    write_plain(dir.file("img"), image_bytes(4, 2, 3, s.px));
    const auto e = error_of(dir.file("img"), dir.file("lab"));
    CHECK(e.find("holds 3 labels") != std::string::npos);
    CHECK(e.find("4 images") != std::string::npos);
  }
  SUBCASE("truncated plain pixels") {
    std::vector<unsigned char> short_px(s.px.begin(), s.px.begin() + 10);
    write_plain(dir.file("img"), image_bytes(3, 2, 3, short_px));
    const auto e = error_of(dir.file("img"), dir.file("lab"));
    CHECK(e.find(dir.file("img")) != std::string::npos);
    CHECK(e.find("truncated") != std::string::npos);
  }
  SUBCASE("truncated gzip stream") {
    write_gz(dir.file("img.gz"), image_bytes(3, 2, 3, s.px));
    const auto full = fs::file_size(dir.file("img.gz"));
    fs::resize_file(dir.file("img.gz"), full - 12);  // cut into the deflate data and trailer
    const auto e = error_of(dir.file("img.gz"), dir.file("lab"));
    CHECK(e.find(dir.file("img.gz")) != std::string::npos);
    CHECK((e.find("truncated") != std::string::npos || e.find("corrupt") != std::string::npos));
  }
  SUBCASE("truncated header") {
    write_plain(dir.file("img"), std::string("\0\0\x08", 3));
    const auto e = error_of(dir.file("img"), dir.file("lab"));
    CHECK(e.find("truncated: the header") != std::string::npos);
  }
  SUBCASE("zero-sized images") {
    write_plain(dir.file("img"), image_bytes(3, 0, 3, {}));
    CHECK(error_of(dir.file("img"), dir.file("lab")).find("out of range") != std::string::npos);
  }
  SUBCASE("a count beyond memory is refused before allocating") {
    // 4e9 images of 4096x4096 would be exabytes; the header alone must be enough to refuse.
    write_plain(dir.file("img"), image_bytes(4000000000u, 4096, 4096, {}));
    write_plain(dir.file("lab3"), label_bytes(4000000000u, {}));
    const auto e = error_of(dir.file("img"), dir.file("lab3"));
    CHECK(e.find("memory budget") != std::string::npos);
  }
  SUBCASE("a directory is not a file") {
    const auto e = error_of(dir.path.string(), dir.file("lab"));
    CHECK(e.find("is a directory") != std::string::npos);
  }
}
