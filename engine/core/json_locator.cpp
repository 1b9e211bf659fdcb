#include "core/json_locator.hpp"

#include <algorithm>

namespace obs {
namespace {

void append_utf8(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Four hex digits at t[i..i+4) as a number, or -1.
long hex4(std::string_view t, std::size_t i) {
  if (i + 4 > t.size()) return -1;
  long v = 0;
  for (std::size_t k = i; k < i + 4; ++k) {
    const char c = t[k];
    const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

// Reads the string literal whose opening quote is t[i]; appends its decoded text (escapes
// resolved, \uXXXX and surrogate pairs as UTF-8, as the JSON parser decodes keys) to `out`
// and returns the index after the closing quote (t.size() if unterminated). Tolerant: a
// malformed escape is kept as written.
std::size_t read_string(std::string_view t, std::size_t i, std::string& out) {
  ++i;  // opening quote
  while (i < t.size() && t[i] != '"') {
    if (t[i] != '\\' || i + 1 >= t.size()) {
      out += t[i++];
      continue;
    }
    const char e = t[i + 1];
    if (e == 'u') {
      long cp = hex4(t, i + 2);
      std::size_t next = i + 6;
      if (cp >= 0xD800 && cp < 0xDC00 && next + 1 < t.size() && t[next] == '\\' && t[next + 1] == 'u') {
        const long lo = hex4(t, next + 2);
        if (lo >= 0xDC00 && lo < 0xE000) {
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          next += 6;
        }
      }
      if (cp < 0) {
        out += t[i++];
        continue;
      }
      append_utf8(out, static_cast<unsigned>(cp));
      i = next;
      continue;
    }
    const std::string_view from = "\"\\/bfnrt", to = "\"\\/\b\f\n\r\t";
    const auto k = from.find(e);
    out += k == std::string_view::npos ? e : to[k];
    i += 2;
  }
  return i < t.size() ? i + 1 : t.size();
}

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
  // The decoded text of the string literal here (keys must match the parser's decoding).
  std::string string() {
    std::string s;
    const std::size_t end = read_string(t_, i_, s);
    while (i_ < end) advance();
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

std::string pointer_at_offset(std::string_view text, std::size_t offset) {
  // A tolerant walk of the text before the error: one frame per open container, holding the
  // member key (objects, from its ':' up to the next ',') or the element index (arrays).
  struct Frame {
    bool array = false;
    int index = 0;
    std::string key;
    bool in_member = false;  // after "key": (until the next ',')
    bool key_read = false;   // a key was read and its ':' not yet (the error is in that member)
  };
  std::vector<Frame> open;
  const std::size_t end = std::min(offset, text.size());
  for (std::size_t i = 0; i < end;) {
    const char c = text[i];
    if (c == '"') {
      std::string s;
      const std::size_t next = read_string(text, i, s);
      if (!open.empty() && !open.back().array && !open.back().in_member && !open.back().key_read) {
        open.back().key = std::move(s);
        open.back().key_read = true;
      }
      i = next;
      continue;
    }
    if (c == '{' || c == '[') {
      open.push_back({c == '[', 0, {}, false, false});
    } else if ((c == '}' || c == ']') && !open.empty()) {
      open.pop_back();
    } else if (c == ':' && !open.empty() && !open.back().array) {
      open.back().in_member = true;
    } else if (c == ',' && !open.empty()) {
      if (open.back().array) ++open.back().index;
      else open.back().in_member = open.back().key_read = false;
    }
    ++i;
  }
  std::string pointer;
  for (std::size_t f = 0; f < open.size(); ++f) {
    if (open[f].array) pointer = child_pointer(pointer, std::to_string(open[f].index));
    else if (open[f].in_member || open[f].key_read) pointer = child_pointer(pointer, open[f].key);
    else break;  // between members: the object itself is the innermost open value
  }
  return pointer;
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
