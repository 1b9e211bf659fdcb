#include "core/atomic_file.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <ostream>
#include <stdexcept>

namespace obs {
namespace {

// strerror's text in the lower case of the rest of a message: "no space left on device".
std::string reason(int error) {
  std::string s = std::strerror(error);
  if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

[[noreturn]] void fail(const std::string& path, const std::string& why) {
  throw std::runtime_error("cannot write " + path + ": " + why);
}

// A stream buffer over a file descriptor that keeps the errno of the first failed write:
// std::ofstream reports only that something failed, and "no space left on device" is what the
// person needs to read.
class FdBuf : public std::streambuf {
 public:
  explicit FdBuf(int fd) : fd_(fd) { setp(buf_, buf_ + sizeof buf_); }
  int error() const { return error_; }

 protected:
  int_type overflow(int_type ch) override {
    if (!drain()) return traits_type::eof();
    if (!traits_type::eq_int_type(ch, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(ch);
      pbump(1);
    }
    return traits_type::not_eof(ch);
  }
  int sync() override { return drain() ? 0 : -1; }

 private:
  bool drain() {
    if (error_) return false;
    const char* p = pbase();
    auto left = static_cast<std::size_t>(pptr() - pbase());
    while (left > 0) {
      const ssize_t n = ::write(fd_, p, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        error_ = errno;
        return false;
      }
      p += n;
      left -= static_cast<std::size_t>(n);
    }
    setp(buf_, buf_ + sizeof buf_);
    return true;
  }
  int fd_;
  int error_ = 0;
  char buf_[1 << 16];
};

// Runs the writer over `fd` and throws, naming `shown`, on the first failure.
void write_through(int fd, const std::string& shown, const std::function<void(std::ostream&)>& write) {
  FdBuf buf(fd);
  std::ostream out(&buf);
  write(out);
  out.flush();
  if (buf.error()) fail(shown, reason(buf.error()));
  if (!out) fail(shown, "the writer failed");
}

// Temporary files being written, for the signal handler. Fixed storage and lock-free atomics:
// the handler may read them at any instant, and may call nothing that allocates or locks.
constexpr int kSlots = 16;
constexpr std::size_t kSlotPath = 4096;
enum : int { kFree = 0, kFilling = 1, kReady = 2 };
std::atomic<int> g_state[kSlots];
char g_path[kSlots][kSlotPath];
static_assert(std::atomic<int>::is_always_lock_free, "the signal handler needs lock-free atomics");

// Registers `path`; returns the slot, or -1 when it cannot be registered (all slots busy, a
// path too long), in which case the write goes ahead without cleanup on a signal.
int register_temp(const std::string& path) {
  if (path.size() >= kSlotPath) return -1;
  for (int i = 0; i < kSlots; ++i) {
    int expected = kFree;
    if (g_state[i].compare_exchange_strong(expected, kFilling)) {
      std::memcpy(g_path[i], path.c_str(), path.size() + 1);
      g_state[i].store(kReady);
      return i;
    }
  }
  return -1;
}

void unregister_temp(int slot) {
  if (slot >= 0) g_state[slot].store(kFree);
}

extern "C" void remove_temps_and_reraise(int sig) {
  const int saved = errno;
  for (int i = 0; i < kSlots; ++i)
    if (g_state[i].load() == kReady) ::unlink(g_path[i]);
  errno = saved;
  // SA_RESETHAND restored the default action; raised again, the signal ends the process once
  // this handler returns, and the parent sees it killed by the signal, as it would have been.
  ::raise(sig);
}

// Follows symbolic links (a dangling one too: writing through it creates its target, as the
// shell's `>` does). Relative link targets are relative to the link's folder.
std::string resolve_links(const std::string& path) {
  std::string p = path;
  for (int hops = 0; hops < 40; ++hops) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return p;
    char buf[PATH_MAX];
    const ssize_t n = ::readlink(p.c_str(), buf, sizeof buf);
    if (n <= 0 || static_cast<std::size_t>(n) >= sizeof buf) return p;
    std::string target(buf, static_cast<std::size_t>(n));
    if (target[0] != '/') {
      const auto slash = p.rfind('/');
      if (slash != std::string::npos) target = p.substr(0, slash + 1) + target;
    }
    p = target;
  }
  fail(path, "too many levels of symbolic links");
}

std::string folder_of(const std::string& path) {
  const auto parent = std::filesystem::path(path).parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

const char* what_it_is(mode_t mode) {
  if (S_ISDIR(mode)) return "is a directory";
  if (S_ISFIFO(mode)) return "is a FIFO, not a regular file";
  if (S_ISSOCK(mode)) return "is a socket, not a regular file";
  return nullptr;
}

void replace_atomically(const std::string& shown, const std::string& target, const struct stat* existing,
                        const std::function<void(std::ostream&)>& write) {
  const std::string tmp = target + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) fail(shown, "cannot create " + tmp + ": " + reason(errno));
  const int slot = register_temp(tmp);
  bool fd_open = true;
  try {
    // A replaced file keeps its permissions (a private 0600 file stays private).
    if (existing) ::fchmod(fd, existing->st_mode & 07777);
    write_through(fd, shown, write);
    // fsync so a power cut after the rename cannot expose an empty file; on a full disk or a
    // network file system this is where a delayed write error shows.
    if (::fsync(fd) != 0 && errno != EINVAL) fail(shown, reason(errno));
    fd_open = false;
    if (::close(fd) != 0 && errno != EINTR) fail(shown, reason(errno));
    if (std::rename(tmp.c_str(), target.c_str()) != 0) fail(shown, "cannot replace " + target + ": " + reason(errno));
    unregister_temp(slot);
  } catch (...) {
    if (fd_open) ::close(fd);
    ::unlink(tmp.c_str());
    unregister_temp(slot);
    throw;
  }
}

}  // namespace

void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write) {
  if (path.empty()) fail("\"\"", "an empty path");
  const std::string target = resolve_links(path);
  struct stat st {};
  if (::stat(target.c_str(), &st) != 0) {
    if (errno != ENOENT) fail(path, reason(errno));
    replace_atomically(path, target, nullptr, write);
    return;
  }
  if (S_ISREG(st.st_mode)) {
    replace_atomically(path, target, &st, write);
    return;
  }
  if (S_ISDIR(st.st_mode) || S_ISSOCK(st.st_mode)) fail(path, what_it_is(st.st_mode));
  // A device or a FIFO: written in place, as `> /dev/null` is. Opening a FIFO waits for a reader.
  const int fd = ::open(target.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) fail(path, reason(errno));
  try {
    write_through(fd, path, write);
  } catch (...) {
    ::close(fd);
    throw;
  }
  if (::close(fd) != 0 && errno != EINTR) fail(path, reason(errno));
}

void write_to_stdout(const std::function<void(std::ostream&)>& write) {
  std::fflush(stdout);  // lines printed before must come first
  write_through(STDOUT_FILENO, "standard output", write);
}

void check_writable(const std::string& path) {
  if (path.empty()) fail("\"\"", "an empty path");
  const std::string target = resolve_links(path);
  struct stat st {};
  if (::stat(target.c_str(), &st) == 0) {
    if (const char* what = what_it_is(st.st_mode); what && !S_ISFIFO(st.st_mode)) fail(path, what);
    if (!S_ISREG(st.st_mode)) {
      // A device or a FIFO is written in place: it must be writable itself.
      if (::access(target.c_str(), W_OK) != 0) fail(path, reason(errno));
      return;
    }
  } else if (errno != ENOENT) {
    fail(path, reason(errno));
  }
  // A regular file is replaced by a new file in its folder: the folder must take one.
  const std::string folder = folder_of(target);
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec) fail(path, "cannot create the folder " + folder + ": " + ec.message());
  if (!std::filesystem::is_directory(folder, ec)) fail(path, folder + " is not a directory");
  if (::access(folder.c_str(), W_OK | X_OK) != 0) fail(path, "the folder " + folder + " is not writable: " + reason(errno));
}

std::string output_folder(const std::string& path) { return folder_of(resolve_links(path)); }

std::vector<std::string> stale_temp_files(const std::string& folder) {
  std::vector<std::string> out;
  DIR* dir = ::opendir(folder.c_str());
  if (!dir) return out;
  while (const dirent* e = ::readdir(dir)) {
    const std::string name = e->d_name;
    const auto mark = name.rfind(".tmp.");
    if (mark == std::string::npos || mark == 0 || mark + 5 == name.size()) continue;
    const std::string digits = name.substr(mark + 5);
    if (digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) continue;
    const auto pid = static_cast<pid_t>(std::stol(digits));
    // A process that still runs may be writing it right now: not stale.
    if (pid > 0 && (::kill(pid, 0) == 0 || errno != ESRCH)) continue;
    out.push_back(name);
  }
  ::closedir(dir);
  return out;
}

RemoveOnSignal::RemoveOnSignal(const std::string& path) : slot_(register_temp(path)) {}
RemoveOnSignal::~RemoveOnSignal() { unregister_temp(slot_); }

void remove_temp_files_on_signals() {
  struct sigaction sa {};
  sa.sa_handler = remove_temps_and_reraise;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND;
  for (const int sig : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction old {};
    if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
    ::sigaction(sig, &sa, nullptr);
  }
}

std::string read_file(const std::string& path, std::uint64_t max_bytes) {
  auto refuse = [&](const std::string& why) -> std::runtime_error { return std::runtime_error("cannot open " + path + ": " + why); };
  // O_NONBLOCK: opening a FIFO must not wait for a writer before it can be refused.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) throw refuse(reason(errno));
  struct CloseOnExit {
    int fd;
    ~CloseOnExit() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw refuse(reason(errno));
  if (const char* what = what_it_is(st.st_mode)) throw refuse(what);
  const std::string limit = std::to_string(max_bytes >> 20) + " MiB";
  if (S_ISREG(st.st_mode) && static_cast<std::uint64_t>(st.st_size) > max_bytes)
    throw refuse("the file is " + std::to_string(st.st_size) + " bytes; files over " + limit + " are refused");
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  std::string text;
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error("cannot read " + path + ": " + reason(errno));
    }
    if (n == 0) break;
    // A device (or a file still growing) is read no further than the limit.
    if (text.size() + static_cast<std::size_t>(n) > max_bytes) throw refuse("more than " + limit + "; files over " + limit + " are refused");
    text.append(buf, static_cast<std::size_t>(n));
  }
  return text;
}

}  // namespace obs
