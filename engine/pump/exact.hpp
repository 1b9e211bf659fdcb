#pragma once
// Exact: the only number type the rational kernel accepts.
//
// gmpxx's mpq_class converts implicitly from double (mpq_class q = 0.1; compiles), so an
// API written in mpq_class would silently accept a floating-point value, for instance an
// Octet residual. Exact deletes every floating-point constructor, so a double cannot
// reach the kernel, not even by accident: the only ways in are integers, "p/q" text and
// the results of exact arithmetic. (Design lock 5, the Octet quarantine, is enforced here.)
#include <gmpxx.h>

#include <compare>
#include <concepts>
#include <optional>
#include <string>
#include <string_view>

namespace obs::pump {

template <class T>
concept FloatingPoint = std::floating_point<std::remove_cvref_t<T>>;

class Exact {
 public:
  Exact() = default;
  template <std::signed_integral I>
    requires(!std::same_as<I, bool>)
  Exact(I n) : q_(static_cast<long>(n)) {}
  template <std::unsigned_integral I>
    requires(!std::same_as<I, bool>)
  Exact(I n) : q_(static_cast<unsigned long>(n)) {}
  Exact(long num, long den);  // canonicalised; den != 0
  template <FloatingPoint F>
  Exact(F) = delete;  // the quarantine: no floating-point value becomes an Exact

  // "p/q", "p", with an optional sign; nullopt if the text is not an exact fraction.
  static std::optional<Exact> parse(std::string_view text);
  // The result of exact arithmetic done on raw GMP values inside this module (never a
  // double: callers build `q` from Exacts or integers). Named so it stands out in review.
  static Exact from_mpq(const mpq_class& q);
  static Exact from_mpq(mpq_class&& q);

  const mpq_class& mpq() const { return q_; }
  std::string str() const { return q_.get_str(); }  // canonical "p/q" ("p" when q = 1)
  double to_double() const { return q_.get_d(); }   // display only: one way, out of the kernel
  int sign() const { return sgn(q_); }
  bool is_zero() const { return sgn(q_) == 0; }

  Exact& operator+=(const Exact& o) { q_ += o.q_; return *this; }
  Exact& operator-=(const Exact& o) { q_ -= o.q_; return *this; }
  Exact& operator*=(const Exact& o) { q_ *= o.q_; return *this; }
  Exact& operator/=(const Exact& o);  // throws std::domain_error on division by zero

  friend Exact operator+(Exact a, const Exact& b) { return a += b; }
  friend Exact operator-(Exact a, const Exact& b) { return a -= b; }
  friend Exact operator*(Exact a, const Exact& b) { return a *= b; }
  friend Exact operator/(Exact a, const Exact& b) { return a /= b; }
  friend Exact operator-(Exact a) { a.q_ = -a.q_; return a; }

  friend bool operator==(const Exact& a, const Exact& b) { return cmp(a.q_, b.q_) == 0; }
  friend std::strong_ordering operator<=>(const Exact& a, const Exact& b) {
    const int c = cmp(a.q_, b.q_);
    return c < 0 ? std::strong_ordering::less : c > 0 ? std::strong_ordering::greater : std::strong_ordering::equal;
  }

 private:
  mpq_class q_;
};

inline Exact max(const Exact& a, const Exact& b) { return a < b ? b : a; }
inline Exact min(const Exact& a, const Exact& b) { return b < a ? b : a; }

// Compile-time statement of the quarantine, repeated in the tests: no implicit or explicit
// construction of an Exact from a floating-point value exists.
static_assert(!std::is_constructible_v<Exact, double>);
static_assert(!std::is_constructible_v<Exact, float>);
static_assert(!std::is_constructible_v<Exact, long double>);
static_assert(!std::is_convertible_v<double, Exact>);

}  // namespace obs::pump
