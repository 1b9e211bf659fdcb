#include "core/input_error.hpp"

namespace obs {

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
  if (!source.empty()) out.append(source).push_back(':');
  if (pos.line > 0) out.append(std::to_string(pos.line)).append(1, ':').append(std::to_string(pos.column)).push_back(':');
  if (!out.empty()) out.push_back(' ');
  if (!pointer.empty()) out.append(pointer).append(": ");
  out.append(message);
  return out;
}

}  // namespace obs
