// Rational sparsemax and the exact-number type, against values worked out by hand.
#include <doctest/doctest.h>

#include <type_traits>
#include <vector>

#include "pump/exact.hpp"
#include "pump/sparsemax.hpp"

using obs::pump::Exact;
using obs::pump::sparsemax;

namespace {

Exact q(const char* text) { return *Exact::parse(text); }

std::vector<Exact> row(std::initializer_list<const char*> texts) {
  std::vector<Exact> out;
  for (const char* t : texts) out.push_back(q(t));
  return out;
}

Exact sum(const std::vector<Exact>& v) {
  Exact s(0);
  for (const auto& x : v) s += x;
  return s;
}

}  // namespace

TEST_CASE("pump: Exact parses fractions and refuses malformed text") {
  CHECK(q("3/4") == Exact(3, 4));
  CHECK(q("-6/8") == Exact(-3, 4));
  CHECK(q("+2") == Exact(2));
  CHECK(q("0010/0004").str() == "5/2");
  CHECK_FALSE(Exact::parse("1/0"));
  CHECK_FALSE(Exact::parse("abc"));
  CHECK_FALSE(Exact::parse("0.5"));
  CHECK_FALSE(Exact::parse("1/2/3"));
  CHECK_FALSE(Exact::parse(""));
  CHECK_THROWS(Exact(1) / Exact(0));
}

TEST_CASE("pump: Exact has no way in from floating point") {
  static_assert(!std::is_constructible_v<Exact, double>);
  static_assert(!std::is_constructible_v<Exact, float>);
  static_assert(!std::is_convertible_v<double, Exact>);
  static_assert(std::is_constructible_v<Exact, int>);
  static_assert(std::is_constructible_v<Exact, long>);
  // The leak Exact closes: gmpxx itself converts a double silently.
  static_assert(std::is_convertible_v<double, mpq_class>);
  CHECK(Exact(7).str() == "7");
}

TEST_CASE("pump: sparsemax([-2, 0, 1/2]) = [0, 1/4, 3/4]") {
  // Sorted: 1/2, 0, -2. k = 1: 1 + 1/2 > 1/2; k = 2: 1 + 0 > 1/2; k = 3: 1 - 6 > -3/2 fails.
  // tau = (1/2 + 0 - 1)/2 = -1/4, p = [z - tau]_+ = [0, 1/4, 3/4].
  const auto z = row({"-2", "0", "1/2"});
  const auto r = sparsemax(z);
  CHECK(r.p[0] == Exact(0));
  CHECK(r.p[1] == Exact(1, 4));
  CHECK(r.p[2] == Exact(3, 4));
  CHECK(r.tau == Exact(-1, 4));
  CHECK(r.support_size == 2);
  CHECK(r.support == std::vector<bool>{false, true, true});
  CHECK(sum(r.p) == Exact(1));
}

TEST_CASE("pump: sparsemax of rows with ties") {
  // [1, 1, 0]: k = 2 holds (1 + 2 > 2), k = 3 fails (1 + 0 > 2 is false): tau = 1/2.
  auto r = sparsemax(row({"1", "1", "0"}));
  CHECK(r.p[0] == Exact(1, 2));
  CHECK(r.p[1] == Exact(1, 2));
  CHECK(r.p[2] == Exact(0));
  CHECK(r.tau == Exact(1, 2));
  // [1, 0, 0]: k = 2 needs 1 + 0 > 1, which is an equality: both tied zeros stay out.
  r = sparsemax(row({"0", "1", "0"}));
  CHECK(r.p[1] == Exact(1));
  CHECK(r.support_size == 1);
  CHECK(r.p[0] == Exact(0));
  CHECK(r.p[2] == Exact(0));
  // All equal: uniform, tau = (3z - 1)/3.
  r = sparsemax(row({"-2/3", "-2/3", "-2/3"}));
  for (const auto& p : r.p) CHECK(p == Exact(1, 3));
  CHECK(r.tau == Exact(-1));
  // Ties inside the support, a lower tie outside: [1/2, 1/2, 1/2, -1, -1].
  // k = 3: 1 + 3/2 > 3/2; k = 4: 1 - 4 > 1/2 fails: tau = 1/6, p = 1/3 each.
  r = sparsemax(row({"-1", "1/2", "1/2", "-1", "1/2"}));
  CHECK(r.p == std::vector<Exact>{Exact(0), Exact(1, 3), Exact(1, 3), Exact(0), Exact(1, 3)});
}

TEST_CASE("pump: sparsemax rows always sum to exactly 1") {
  const auto r = sparsemax(row({"-1/7", "3/11", "-5/13", "2/9", "0", "-1/3", "1/17"}));
  CHECK(sum(r.p) == Exact(1));
  for (const auto& p : r.p) CHECK(p.sign() >= 0);
  CHECK_THROWS(sparsemax(std::vector<Exact>{}));
}

TEST_CASE("pump: softmax is the analytic (double) limit, dense and normalised") {
  const std::vector<double> z = {-2.0, 0.0, 0.5};
  const auto p = obs::pump::softmax(z);
  double s = 0;
  for (double v : p) {
    CHECK(v > 0);
    s += v;
  }
  CHECK(s == doctest::Approx(1.0));
  CHECK(p[2] > p[1]);
}
