#include "pump/exact.hpp"

#include <stdexcept>

#include "core/param_set.hpp"

namespace obs::pump {

Exact::Exact(long num, long den) {
  if (den == 0) throw std::domain_error("Exact: zero denominator");
  q_ = mpq_class(num, 1);
  q_ /= den;  // mpq division canonicalises (sign on the numerator, lowest terms)
}

std::optional<Exact> Exact::parse(std::string_view text) {
  // One syntax for the whole program: the ParamSet's check (digits, one sign, one '/',
  // non-zero denominator). GMP's own parser would also accept bases and whitespace.
  const std::string s(text);
  if (!check_rational_text(s, nullptr, nullptr)) return std::nullopt;
  mpq_class q;
  const std::string unsigned_part = (s[0] == '+' || s[0] == '-') ? s.substr(1) : s;
  if (q.set_str(unsigned_part, 10) != 0) return std::nullopt;
  q.canonicalize();
  if (s[0] == '-') q = -q;
  return from_mpq(std::move(q));
}

Exact Exact::from_mpq(const mpq_class& q) {
  Exact e;
  e.q_ = q;
  return e;
}

Exact Exact::from_mpq(mpq_class&& q) {
  Exact e;
  e.q_ = std::move(q);
  return e;
}

Exact& Exact::operator/=(const Exact& o) {
  if (o.is_zero()) throw std::domain_error("Exact: division by zero");
  q_ /= o.q_;
  return *this;
}

}  // namespace obs::pump
