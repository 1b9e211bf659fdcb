#pragma once
// Maps JSON pointers to line:column in the original text, so an error about a value
// (not only a syntax error) can say where that value is. nlohmann_json 3.11 does not
// keep source positions, so this small scanner walks the (already valid) text once.
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/input_error.hpp"

namespace obs {

class JsonLocator {
 public:
  explicit JsonLocator(std::string_view valid_json);
  // The position of the value at `pointer`, or of its nearest existing ancestor.
  SourcePos find(const std::string& pointer) const;
  // The pointer of the first number or literal written exactly as `token` (document order),
  // or "" when there is none: locates values the JSON parser refuses without a position.
  std::string first_literal(std::string_view token) const;

 private:
  std::map<std::string, SourcePos> positions_;
  std::vector<std::pair<std::string, std::string>> literals_;  // (pointer, raw text), in order
};

// The JSON pointer of the innermost value open at byte `offset` of a text that may be malformed
// there (a syntax error): e.g. "/params/K" for an error inside or right after K's value,
// "/params" between two of its members. nlohmann_json reports only a byte position.
std::string pointer_at_offset(std::string_view text, std::size_t offset);
// Line and column (1-based) of a byte offset.
SourcePos position_of_offset(std::string_view text, std::size_t offset);
// Escapes a key for use as one JSON pointer token (RFC 6901: ~ -> ~0, / -> ~1).
std::string pointer_token(std::string_view key);
// parent + "/" + escaped key. (Appending, rather than `"/" + std::string`, also avoids
// GCC 12's false -Wrestrict warning on that operator.)
std::string child_pointer(std::string parent, std::string_view key);

}  // namespace obs
