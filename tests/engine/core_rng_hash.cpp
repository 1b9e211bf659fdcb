// Rng (xoshiro256** seeded by splitmix64) and StateHash (FNV-1a 64).
// Reference values come from an independent Python transcription of the published
// algorithms (Blackman & Vigna's xoshiro256**.c / splitmix64.c; FNV-1a test vectors).
// Moment tolerances are 5 standard errors of the estimator at the sample size used.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "core/state_hash.hpp"

TEST_CASE("core: Rng reproduces the reference xoshiro256** stream") {
  struct Ref {
    std::uint64_t seed;
    std::uint64_t first[3];
  };
  for (const Ref& ref : {Ref{0, {0x99ec5f36cb75f2b4ULL, 0xbf6e1f784956452aULL, 0x1a5f849d4933e6e0ULL}},
                         Ref{1, {0xb3f2af6d0fc710c5ULL, 0x853b559647364ceaULL, 0x92f89756082a4514ULL}},
                         Ref{42, {0x15780b2e0c2ec716ULL, 0x6104d9866d113a7eULL, 0xae17533239e499a1ULL}}}) {
    CAPTURE(ref.seed);
    obs::Rng rng(ref.seed);
    for (std::uint64_t expected : ref.first) CHECK(rng.next_u64() == expected);
  }
  obs::Rng rng(1);
  CHECK(rng.uniform() == 0.7029218331588505);  // (0xb3f2af6d0fc710c5 >> 11) * 2^-53, exact
  CHECK(rng.uniform() == 0.5204366199388569);

  obs::Rng n(1);
  CHECK(n.normal() == doctest::Approx(1.884396104787977).epsilon(1e-14));
  CHECK(n.normal() == doctest::Approx(0.18978089448693036).epsilon(1e-14));  // the polar pair's spare
  CHECK(n.normal() == doctest::Approx(1.302090250702661).epsilon(1e-14));

  obs::Rng b(5);
  for (std::uint64_t expected : {2, 6, 6, 8, 5, 7, 5, 8}) CHECK(b.below(10) == expected);
  CHECK(b.below((1ULL << 63) + 1) == 3343815716602316796ULL);
}

TEST_CASE("core: Rng is deterministic per seed; reseed restarts; seeds differ") {
  obs::Rng a(123), b(123), c(124);
  std::vector<double> first;
  bool differs = false;
  for (int i = 0; i < 1000; ++i) {
    const double x = a.normal();
    first.push_back(x);
    CHECK(x == b.normal());
    differs |= x != c.normal();
  }
  CHECK(differs);
  a.reseed(123);  // also drops a pending Box-Muller spare
  for (int i = 0; i < 1000; ++i) REQUIRE(a.normal() == first[static_cast<std::size_t>(i)]);
  a.normal();  // leave a spare pending
  a.reseed(123);
  CHECK(a.normal() == first[0]);
}

TEST_CASE("core: Rng uniform and normal have the right moments") {
  constexpr int n = 1'000'000;
  obs::Rng rng(2024);
  double s1 = 0, s2 = 0, lo = 1, hi = 0;
  for (int i = 0; i < n; ++i) {
    const double u = rng.uniform();
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    s1 += u;
    s2 += u * u;
    lo = std::min(lo, u);
    hi = std::max(hi, u);
  }
  const double mean = s1 / n, var = s2 / n - mean * mean;
  CHECK(std::abs(mean - 0.5) < 5 * std::sqrt(1.0 / 12 / n));                 // 1.4e-3
  CHECK(std::abs(var - 1.0 / 12) < 5 * std::sqrt((1.0 / 80 - 1.0 / 144) / n));  // 3.7e-4
  CHECK(lo < 1e-4);
  CHECK(hi > 1 - 1e-4);
  for (int i = 0; i < 1000; ++i) {
    const double x = rng.uniform(-3, 5);
    REQUIRE(x >= -3);
    REQUIRE(x < 5);
  }

  double m1 = 0, m2 = 0, m3 = 0, m4 = 0, tail = 0;
  for (int i = 0; i < n; ++i) {
    const double x = rng.normal();
    m1 += x;
    m2 += x * x;
    m3 += x * x * x;
    m4 += x * x * x * x;
    tail += std::abs(x) > 2;
  }
  m1 /= n;
  m2 /= n;
  m3 /= n;
  m4 /= n;
  CHECK(std::abs(m1) < 5 / std::sqrt(double(n)));                     // sd of mean = 1/sqrt(n)
  CHECK(std::abs(m2 - 1) < 5 * std::sqrt(2.0 / n));                    // sd of variance = sqrt(2/n)
  CHECK(std::abs(m3) < 5 * std::sqrt(15.0 / n));                       // var(x^3) = 15
  CHECK(std::abs(m4 - 3) < 5 * std::sqrt(96.0 / n));                   // var(x^4) = 105 - 9 = 96
  const double p2 = std::erfc(2 / std::sqrt(2.0));                     // P(|x| > 2) = 0.0455
  CHECK(std::abs(tail / n - p2) < 5 * std::sqrt(p2 * (1 - p2) / n));
}

TEST_CASE("core: Rng::below is uniform over [0, n) and handles edge sizes") {
  obs::Rng rng(77);
  constexpr int bins = 10, draws = 200'000;
  int count[bins] = {};
  for (int i = 0; i < draws; ++i) {
    const std::uint64_t k = rng.below(bins);
    REQUIRE(k < bins);
    ++count[k];
  }
  double chi2 = 0;
  for (int c : count) chi2 += (c - draws / bins) * double(c - draws / bins) / (draws / bins);
  CHECK(chi2 < 33.7);  // the 99.99% point of chi-square with 9 degrees of freedom
  for (int i = 0; i < 100; ++i) CHECK(rng.below(1) == 0);
  const std::uint64_t big = (1ULL << 63) + 12345;
  for (int i = 0; i < 100; ++i) CHECK(rng.below(big) < big);
}

TEST_CASE("core: StateHash is FNV-1a 64 over the raw bytes") {
  CHECK(obs::StateHash{}.digest() == 0xcbf29ce484222325ULL);
  obs::StateHash a;
  a.text("a");
  CHECK(a.digest() == 0xaf63dc4c8601ec8cULL);
  obs::StateHash foobar;
  foobar.text("foo");
  foobar.text("bar");  // streaming: the same as hashing "foobar" at once
  CHECK(foobar.digest() == 0x85944171f73967e8ULL);

  obs::StateHash v;
  v.value(std::uint64_t{1});
  v.value(1.5f);
  CHECK(v.digest() == 0x5ffdd439c2fb3869ULL);  // little-endian bytes 01 00.. then 00 00 c0 3f

  // span() hashes exactly the elements' bytes; one flipped bit changes the digest.
  std::vector<float> xs = {0.0f, -1.0f, 3.25f};
  obs::StateHash s1, s2;
  s1.span(std::span<const float>(xs));
  s2.bytes(xs.data(), xs.size() * sizeof(float));
  CHECK(s1.digest() == s2.digest());
  xs[2] = std::nextafter(xs[2], 10.0f);
  obs::StateHash s3;
  s3.span(std::span<const float>(xs));
  CHECK(s3.digest() != s1.digest());
  // -0.0f and 0.0f compare equal but are different states: the hash must tell them apart.
  obs::StateHash z1, z2;
  z1.value(0.0f);
  z2.value(-0.0f);
  CHECK(z1.digest() != z2.digest());
}
