#pragma once
// The binary body of a checkpoint (core/checkpoint.hpp). A system lists the fields its future
// depends on once, in
//
//   template <class Self, class Archive> static void state_io(Self& self, Archive& a) {
//     a(self.phase_, self.omega_, self.rng_);
//   }
//
// and the same list writes (Self const, StateWriter) and reads (StateReader). What a restart
// rebuilds from the parameters (data sets, kernels, scratch) is not listed: a checkpoint is read
// into a system freshly reset with the checkpoint's parameters and seed.
//
// Values are this machine's bytes (little-endian x86-64, IEEE floats): a checkpoint restores the
// exact bits, so a restored run steps to the same state hash as the run that wrote it.
#include <gmpxx.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace obs {

// A checkpoint that cannot be read: truncated, corrupt, foreign, or from another version.
struct CheckpointError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

namespace archive_detail {
template <class T>
concept Raw = std::is_trivially_copyable_v<T> && !std::is_pointer_v<T>;
template <class T>
concept Matrix = requires(T m) {
  m.rows();
  m.cols();
  m.data();
  m.resize(m.rows(), m.cols());
} && Raw<typename T::Scalar>;
template <class T>
struct is_vector : std::false_type {};
template <class T, class A>
struct is_vector<std::vector<T, A>> : std::true_type {};
template <class T>
struct is_array : std::false_type {};
template <class T, std::size_t N>
struct is_array<std::array<T, N>> : std::true_type {};
}  // namespace archive_detail

class StateWriter {
 public:
  template <class... T>
  void operator()(const T&... v) { (put(v), ...); }
  void raw(const void* p, std::size_t n) {
    if (n != 0) bytes_.append(static_cast<const char*>(p), n);
  }
  const std::string& bytes() const { return bytes_; }
  std::string take() { return std::move(bytes_); }

 private:
  template <class T>
  void put(const T& v);
  std::string bytes_;
};

class StateReader {
 public:
  explicit StateReader(std::string_view bytes) : bytes_(bytes) {}
  template <class... T>
  void operator()(T&... v) { (get(v), ...); }
  void raw(void* p, std::size_t n) {
    if (n == 0) return;  // an empty vector's data() may be null, which memcpy must not see
    need(n);
    std::memcpy(p, bytes_.data() + at_, n);
    at_ += n;
  }
  std::size_t remaining() const { return bytes_.size() - at_; }
  std::size_t position() const { return at_; }
  // A count read from the file, before anything is allocated for it: each of `count` items
  // takes at least `item_bytes`, so a count the remaining bytes cannot hold is corruption
  // (and a huge one never reaches an allocator).
  std::size_t count(std::size_t item_bytes) {
    std::uint64_t n = 0;
    raw(&n, sizeof n);
    if (item_bytes > 0 && n > remaining() / item_bytes)
      throw CheckpointError("corrupt checkpoint: a list of " + std::to_string(n) + " items at byte " +
                            std::to_string(at_) + " is longer than the " + std::to_string(remaining()) +
                            " bytes left");
    return static_cast<std::size_t>(n);
  }

 private:
  void need(std::size_t n) const {
    if (n > remaining())
      throw CheckpointError("truncated checkpoint: " + std::to_string(n) + " more bytes needed at byte " +
                            std::to_string(at_) + ", " + std::to_string(remaining()) + " left");
  }
  template <class T>
  void get(T& v);
  std::string_view bytes_;
  std::size_t at_ = 0;
};

template <class T>
void StateWriter::put(const T& v) {
  using namespace archive_detail;
  if constexpr (requires { T::state_io(v, *this); }) {
    T::state_io(v, *this);
  } else if constexpr (std::is_same_v<T, std::string>) {
    const std::uint64_t n = v.size();
    raw(&n, sizeof n);
    raw(v.data(), v.size());
  } else if constexpr (std::is_same_v<T, mpq_class>) {
    put(v.get_str(16));
  } else if constexpr (is_vector<T>::value) {
    const std::uint64_t n = v.size();
    raw(&n, sizeof n);
    using E = typename T::value_type;
    if constexpr (std::is_same_v<E, bool>) {
      for (bool b : v) put(static_cast<std::uint8_t>(b));
    } else if constexpr (Raw<E>) {
      raw(v.data(), v.size() * sizeof(E));
    } else {
      for (const auto& e : v) put(e);
    }
  } else if constexpr (Matrix<T>) {
    const std::int64_t shape[2] = {static_cast<std::int64_t>(v.rows()), static_cast<std::int64_t>(v.cols())};
    raw(shape, sizeof shape);
    raw(v.data(), static_cast<std::size_t>(v.size()) * sizeof(typename T::Scalar));
  } else if constexpr (is_array<T>::value && !Raw<T>) {
    for (const auto& e : v) put(e);
  } else {
    static_assert(Raw<T>, "StateWriter: give this type a state_io, or list its fields");
    raw(&v, sizeof v);
  }
}

template <class T>
void StateReader::get(T& v) {
  using namespace archive_detail;
  if constexpr (requires { T::state_io(v, *this); }) {
    T::state_io(v, *this);
  } else if constexpr (std::is_same_v<T, std::string>) {
    v.resize(count(1));
    raw(v.data(), v.size());
  } else if constexpr (std::is_same_v<T, mpq_class>) {
    std::string s;
    get(s);
    if (v.set_str(s, 16) != 0) throw CheckpointError("corrupt checkpoint: \"" + s + "\" is not a rational");
    v.canonicalize();
  } else if constexpr (is_vector<T>::value) {
    using E = typename T::value_type;
    if constexpr (std::is_same_v<E, bool>) {
      v.resize(count(1));
      for (std::size_t i = 0; i < v.size(); ++i) {
        std::uint8_t b = 0;
        get(b);
        v[i] = b != 0;
      }
    } else if constexpr (Raw<E>) {
      v.resize(count(sizeof(E)));
      raw(v.data(), v.size() * sizeof(E));
    } else {
      v.resize(count(1));
      for (auto& e : v) get(e);
    }
  } else if constexpr (Matrix<T>) {
    std::int64_t shape[2] = {0, 0};
    raw(shape, sizeof shape);
    using S = typename T::Scalar;
    const auto cells = static_cast<std::uint64_t>(shape[0]) * static_cast<std::uint64_t>(shape[1]);
    if (shape[0] < 0 || shape[1] < 0 || (shape[1] != 0 && static_cast<std::uint64_t>(shape[0]) > remaining()) ||
        cells > remaining() / sizeof(S))
      throw CheckpointError("corrupt checkpoint: a " + std::to_string(shape[0]) + " x " + std::to_string(shape[1]) +
                            " matrix at byte " + std::to_string(position()) + " does not fit in what is left");
    v.resize(shape[0], shape[1]);
    raw(v.data(), cells * sizeof(S));
  } else if constexpr (is_array<T>::value && !Raw<T>) {
    for (auto& e : v) get(e);
  } else {
    static_assert(Raw<T>, "StateReader: give this type a state_io, or list its fields");
    raw(&v, sizeof v);
  }
}

}  // namespace obs
