#pragma once
// Atomic file replacement: write a temporary file beside the target, flush it to disk,
// then rename it over the target. A crash or a failing writer leaves the old file whole.
#include <functional>
#include <iosfwd>
#include <string>

namespace obs {

// Calls `write` with a stream to the temporary file. If `write` throws, or any I/O step
// fails, the temporary is removed, the target is untouched, and std::runtime_error is thrown.
void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write);

// Reads a whole file; throws std::runtime_error naming the path when it cannot.
std::string read_file(const std::string& path);

}  // namespace obs
