#pragma once
// Errors in what a person gave us (a scene file, a --set flag, a parameter edit).
// Every one names *where*: a JSON pointer, and a line:column when the text is known.
#include <stdexcept>
#include <string>
#include <string_view>

namespace obs {

struct SourcePos {
  int line = 0;    // 1-based; 0 = unknown
  int column = 0;  // 1-based
};

// `text` with every control character (and DEL) written as a visible escape: \n, \t, \r, or
// \xHH. Messages echo names from files and the command line, and a raw newline or terminal
// escape in one would split the promised one-line message or repaint the user's terminal.
// Bytes from 0x80 up pass unchanged, so UTF-8 names read as written.
std::string escape_control(std::string_view text);

class InputError : public std::runtime_error {
 public:
  InputError(std::string pointer, std::string message, SourcePos pos = {}, std::string source = {});

  const std::string& pointer() const { return pointer_; }
  const std::string& message() const { return message_; }
  const std::string& source() const { return source_; }
  SourcePos pos() const { return pos_; }

  // what() is "source:line:col: pointer: message" with escape_control applied to each part;
  // pointer(), message() and source() stay as given.
  // The same error seen from a containing document: adds the file name and position.
  InputError located(std::string source, SourcePos pos) const;

 private:
  static std::string format(const std::string& source, SourcePos pos, const std::string& pointer,
                            const std::string& message);
  std::string pointer_, message_, source_;
  SourcePos pos_;
};

}  // namespace obs
