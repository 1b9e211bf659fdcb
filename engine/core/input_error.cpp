#include "core/input_error.hpp"

namespace obs {

std::string escape_control(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c != 0x7f) {
      out.push_back(ch);
      continue;
    }
    switch (c) {
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        out += "\\x";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
      }
    }
  }
  return out;
}

InputError::InputError(std::string pointer, std::string message, SourcePos pos, std::string source)
    : std::runtime_error(format(source, pos, pointer, message)),
      pointer_(std::move(pointer)),
      message_(std::move(message)),
      source_(std::move(source)),
      pos_(pos) {}

InputError InputError::located(std::string source, SourcePos pos) const {
  return InputError(pointer_, message_, pos.line ? pos : pos_, std::move(source));
}

std::string InputError::format(const std::string& source, SourcePos pos, const std::string& pointer,
                               const std::string& message) {
  // "file:line:col: /pointer: message", leaving out the parts that are unknown.
  std::string out;
  out.reserve(source.size() + pointer.size() + message.size() + 32);
  if (!source.empty()) out.append(escape_control(source)).push_back(':');
  if (pos.line > 0) out.append(std::to_string(pos.line)).append(1, ':').append(std::to_string(pos.column)).push_back(':');
  if (!out.empty()) out.push_back(' ');
  if (!pointer.empty()) out.append(escape_control(pointer)).append(": ");
  out.append(escape_control(message));
  return out;
}

}  // namespace obs
