#include "core/json_locator.hpp"

namespace obs {
namespace {

class Scanner {
 public:
  Scanner(std::string_view text, std::map<std::string, SourcePos>& out,
          std::vector<std::pair<std::string, std::string>>& literals)
      : t_(text), out_(out), literals_(literals) {}

  void value(const std::string& pointer) {
    skip_ws();
    out_[pointer] = {line_, col_};
    if (i_ >= t_.size()) return;
    const char c = t_[i_];
    if (c == '{') {
      advance();
      skip_ws();
      if (peek() == '}') { advance(); return; }
      while (i_ < t_.size()) {
        skip_ws();
        const std::string key = string();
        skip_ws();
        advance();  // ':'
        value(child_pointer(pointer, key));
        skip_ws();
        if (peek() == ',') { advance(); continue; }
        advance();  // '}'
        return;
      }
    } else if (c == '[') {
      advance();
      skip_ws();
      if (peek() == ']') { advance(); return; }
      for (int index = 0; i_ < t_.size(); ++index) {
        value(pointer + "/" + std::to_string(index));
        skip_ws();
        if (peek() == ',') { advance(); continue; }
        advance();  // ']'
        return;
      }
    } else if (c == '"') {
      string();
    } else {
      const std::size_t begin = i_;
      while (i_ < t_.size() && std::string_view(",]} \t\r\n").find(t_[i_]) == std::string_view::npos) advance();
      literals_.emplace_back(pointer, std::string(t_.substr(begin, i_ - begin)));
    }
  }

 private:
  char peek() const { return i_ < t_.size() ? t_[i_] : '\0'; }
  void advance() {
    if (i_ >= t_.size()) return;
    // Columns count UTF-8 code points, as editors do: continuation bytes do not advance.
    const auto b = static_cast<unsigned char>(t_[i_]);
    if (b == '\n') { ++line_; col_ = 1; }
    else if ((b & 0xC0) != 0x80) ++col_;
    ++i_;
  }
  void skip_ws() {
    while (i_ < t_.size() && (t_[i_] == ' ' || t_[i_] == '\t' || t_[i_] == '\r' || t_[i_] == '\n')) advance();
  }
  // Returns the raw key text between quotes, with \" and \\ escapes resolved (enough for keys).
  std::string string() {
    std::string s;
    advance();  // opening quote
    while (i_ < t_.size() && t_[i_] != '"') {
      if (t_[i_] == '\\' && i_ + 1 < t_.size()) { advance(); }
      s += t_[i_];
      advance();
    }
    advance();  // closing quote
    return s;
  }

  std::string_view t_;
  std::map<std::string, SourcePos>& out_;
  std::vector<std::pair<std::string, std::string>>& literals_;
  std::size_t i_ = 0;
  int line_ = 1, col_ = 1;
};

}  // namespace

JsonLocator::JsonLocator(std::string_view valid_json) {
  // A UTF-8 byte-order mark is skipped by the parser, so it is skipped here too (editors do
  // not show it, so columns on line 1 do not count it either).
  if (valid_json.substr(0, 3) == "\xEF\xBB\xBF") valid_json.remove_prefix(3);
  Scanner(valid_json, positions_, literals_).value("");
}

std::string JsonLocator::first_literal(std::string_view token) const {
  for (const auto& [pointer, text] : literals_)
    if (text == token) return pointer;
  return {};
}

SourcePos JsonLocator::find(const std::string& pointer) const {
  std::string p = pointer;
  while (true) {
    if (auto it = positions_.find(p); it != positions_.end()) return it->second;
    const auto slash = p.rfind('/');
    if (slash == std::string::npos) return {};
    p.resize(slash);
  }
}

SourcePos position_of_offset(std::string_view text, std::size_t offset) {
  SourcePos pos{1, 1};
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    const auto b = static_cast<unsigned char>(text[i]);
    if (b == '\n') { ++pos.line; pos.column = 1; }
    else if ((b & 0xC0) != 0x80) ++pos.column;
  }
  return pos;
}

std::string child_pointer(std::string parent, std::string_view key) {
  parent.push_back('/');
  parent.append(pointer_token(key));
  return parent;
}

std::string pointer_token(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

}  // namespace obs
