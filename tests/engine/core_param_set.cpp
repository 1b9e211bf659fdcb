// ParamSet: the single declaration of every tunable. These tests pin down validation:
// ranges, types, non-finite values, exact rationals, and the text parser behind --set.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "core/input_error.hpp"
#include "core/param_set.hpp"

namespace {

obs::ParamSet make_params() {
  obs::ParamSet ps;
  ps.add_real("K", 1.5, 0, 50).unit("1/s").help("coupling").group("Dynamics");
  ps.add_int("N", 100, 2, 1000);
  ps.add_bool("on", true);
  ps.add_choice("mode", "b", {"a", "b", "c"});
  ps.add_rational("q", "1/2", -1, 1);
  return ps;
}

// Asserts that `fn` throws InputError naming `pointer`, and that nothing changed.
template <class Fn>
obs::InputError expect_refused(obs::ParamSet& ps, const std::string& pointer, Fn&& fn) {
  const nlohmann::json before = ps.to_json();
  try {
    fn();
  } catch (const obs::InputError& e) {
    CHECK(e.pointer() == pointer);
    CHECK(std::string(e.what()).find(pointer + ": ") != std::string::npos);
    CHECK(ps.to_json() == before);  // "on error nothing changes"
    return e;
  }
  FAIL("expected an InputError for " << pointer);
  return obs::InputError("", "");
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("core: ParamSet declarations keep defaults, ranges and metadata") {
  const obs::ParamSet ps = make_params();
  REQUIRE(ps.all().size() == 5);
  CHECK(ps.real("K") == 1.5);
  CHECK(ps.integer("N") == 100);
  CHECK(ps.flag("on"));
  CHECK(ps.choice("mode") == "b");
  CHECK(ps.rational("q") == "1/2");
  CHECK(ps.at("q").value == 0.5);
  const obs::Param& k = ps.at("K");
  CHECK(k.unit_ == "1/s");
  CHECK(k.help_ == "coupling");
  CHECK(k.group_ == "Dynamics");
  CHECK(k.range_text() == "[0, 50]");
  CHECK(ps.at("mode").range_text() == "one of: \"a\" \"b\" \"c\"");
  CHECK(ps.find("nope") == nullptr);
  CHECK_THROWS_AS(ps.at("nope"), std::out_of_range);
  for (const auto& p : ps.all()) CHECK(p.is_default());

  // The JSON form uses each type's natural JSON type.
  const nlohmann::json j = ps.to_json();
  CHECK(j["K"].is_number_float());
  CHECK(j["N"].is_number_integer());
  CHECK(j["on"].is_boolean());
  CHECK(j["mode"] == "b");
  CHECK(j["q"] == "1/2");

  obs::ParamSet dup;
  dup.add_real("x", 0, 0, 1);
  CHECK_THROWS_AS(dup.add_real("x", 0, 0, 1), std::logic_error);
  CHECK_THROWS_AS(dup.add_choice("c", "z", {"a"}), std::logic_error);
  CHECK_THROWS_AS(dup.add_rational("r", "1/0", 0, 1), std::logic_error);
}

TEST_CASE("core: ParamSet real and int ranges are inclusive and refusals name the pointer") {
  obs::ParamSet ps = make_params();
  ps.set_json("K", 0.0, "/params/K");
  CHECK(ps.real("K") == 0.0);
  ps.set_json("K", 50, "/params/K");  // an integer literal is a fine real
  CHECK(ps.real("K") == 50.0);

  auto e = expect_refused(ps, "/params/K", [&] { ps.set_json("K", 50.0000001, "/params/K"); });
  CHECK(contains(e.message(), "[0, 50]"));
  expect_refused(ps, "/params/K", [&] { ps.set_json("K", -1e-300, "/params/K"); });
  expect_refused(ps, "/params/K", [&] { ps.set_json("K", "1.5", "/params/K"); });
  expect_refused(ps, "/params/K", [&] { ps.set_json("K", true, "/params/K"); });
  expect_refused(ps, "/params/K", [&] { ps.set_json("K", nullptr, "/params/K"); });
  expect_refused(ps, "/params/K", [&] { ps.set_json("K", nlohmann::json::array({1}), "/params/K"); });

  ps.set_json("N", 2, "/params/N");
  CHECK(ps.integer("N") == 2);
  ps.set_json("N", 1000, "/params/N");
  CHECK(ps.integer("N") == 1000);
  ps.set_json("N", 500.0, "/params/N");  // 500.0 is integral: accepted
  CHECK(ps.integer("N") == 500);
  e = expect_refused(ps, "/params/N", [&] { ps.set_json("N", 10.5, "/params/N"); });
  CHECK(contains(e.message(), "integer"));
  CHECK(contains(e.message(), "10.5"));  // what was got
  expect_refused(ps, "/params/N", [&] { ps.set_json("N", 1, "/params/N"); });
  expect_refused(ps, "/params/N", [&] { ps.set_json("N", 1001, "/params/N"); });
  expect_refused(ps, "/params/N", [&] { ps.set_json("N", -5, "/params/N"); });
  e = expect_refused(ps, "/params/N", [&] { ps.set_json("N", 1e12, "/params/N"); });
  CHECK(contains(e.message(), "[2, 1000]"));
  expect_refused(ps, "/params/N", [&] { ps.set_json("N", std::numeric_limits<std::uint64_t>::max(), "/params/N"); });
  CHECK(ps.integer("N") == 500);
}

TEST_CASE("core: ParamSet refuses NaN and infinities") {
  obs::ParamSet ps = make_params();
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  // Through JSON values (nlohmann can hold them even though JSON text cannot).
  auto e = expect_refused(ps, "/params/K", [&] { ps.set_json("K", nan, "/params/K"); });
  CHECK(contains(e.message(), "finite"));
  expect_refused(ps, "/params/K", [&] { ps.set_json("K", inf, "/params/K"); });
  expect_refused(ps, "/params/K", [&] { ps.set_json("K", -inf, "/params/K"); });
  expect_refused(ps, "/params/N", [&] { ps.set_json("N", nan, "/params/N"); });
  // Through text, as --set gives them.
  for (const char* text : {"nan", "NaN", "inf", "-inf", "Infinity", "1e400", "-1e400", ""}) {
    CAPTURE(text);
    expect_refused(ps, "--set K", [&] { ps.set_text("K", text, "--set K"); });
  }
  // From a UI widget a non-finite value is ignored, never stored.
  ps.set_value("K", nan);
  ps.set_value("K", inf);
  CHECK(ps.real("K") == 1.5);
}

TEST_CASE("core: ParamSet bool and choice accept only their own type") {
  obs::ParamSet ps = make_params();
  ps.set_json("on", false, "/params/on");
  CHECK_FALSE(ps.flag("on"));
  auto e = expect_refused(ps, "/params/on", [&] { ps.set_json("on", 1, "/params/on"); });
  CHECK(contains(e.message(), "true or false"));
  expect_refused(ps, "/params/on", [&] { ps.set_json("on", "true", "/params/on"); });

  ps.set_json("mode", "c", "/params/mode");
  CHECK(ps.choice("mode") == "c");
  CHECK(ps.at("mode").value == 2);
  e = expect_refused(ps, "/params/mode", [&] { ps.set_json("mode", "d", "/params/mode"); });
  CHECK(contains(e.message(), "\"a\" \"b\" \"c\""));
  expect_refused(ps, "/params/mode", [&] { ps.set_json("mode", 1, "/params/mode"); });
  expect_refused(ps, "/params/mode", [&] { ps.set_json("mode", "A", "/params/mode"); });  // case matters
}

TEST_CASE("core: ParamSet rationals are exact strings, range checked, with reasons") {
  obs::ParamSet ps = make_params();
  ps.set_json("q", "-3/4", "/params/q");
  CHECK(ps.rational("q") == "-3/4");
  CHECK(ps.at("q").value == -0.75);
  ps.set_json("q", "+2/0004", "/params/q");
  CHECK(ps.rational("q") == "+2/0004");
  CHECK(ps.at("q").value == 0.5);
  ps.set_json("q", 1, "/params/q");  // a JSON integer is the fraction n/1
  CHECK(ps.rational("q") == "1");
  CHECK(ps.at("q").value == 1.0);
  ps.set_rational_text("q", "0/7");
  CHECK(ps.at("q").value == 0.0);

  struct Bad {
    const char* text;
    const char* why;
  };
  for (const Bad& b : {Bad{"1/0", "denominator is zero"}, Bad{"3/000", "denominator is zero"},
                       Bad{"abc", "numerator must be digits"}, Bad{"", "numerator must be digits"},
                       Bad{"-", "numerator must be digits"}, Bad{"1/", "denominator must be digits"},
                       Bad{"1/2/3", "only digits"}, Bad{"0.5", "only digits"}, Bad{"1 /2", "only digits"},
                       Bad{"1/-2", "denominator must be digits"}}) {
    CAPTURE(b.text);
    const auto e = expect_refused(ps, "/params/q", [&] { ps.set_json("q", b.text, "/params/q"); });
    CHECK(contains(e.message(), b.why));
    std::string why;
    double approx = 0;
    CHECK_FALSE(obs::check_rational_text(b.text, &why, &approx));
    CHECK(contains(why, b.why));
  }
  // Out of range [-1, 1], and not a string or integer at all.
  auto e = expect_refused(ps, "/params/q", [&] { ps.set_json("q", "3/2", "/params/q"); });
  CHECK(contains(e.message(), "[-1, 1]"));
  expect_refused(ps, "/params/q", [&] { ps.set_json("q", 0.5, "/params/q"); });
  expect_refused(ps, "/params/q", [&] { ps.set_json("q", true, "/params/q"); });
  // More digits than a double can hold must be a clean refusal, not a stray exception.
  const std::string huge(400, '9');
  CHECK_THROWS_AS(ps.set_json("q", huge, "/params/q"), obs::InputError);
  CHECK_THROWS_AS(ps.set_json("q", "1/" + huge, "/params/q"), obs::InputError);
  CHECK(ps.rational("q") == "0/7");
}

TEST_CASE("core: ParamSet set_text parses numbers, bools, choices and rationals like a scene") {
  obs::ParamSet ps = make_params();
  ps.set_text("K", "2.25", "--set K");
  CHECK(ps.real("K") == 2.25);
  ps.set_text("K", "1e1", "--set K");
  CHECK(ps.real("K") == 10.0);
  ps.set_text("N", "1e2", "--set N");  // 100.0: integral
  CHECK(ps.integer("N") == 100);
  ps.set_text("N", "  7 ", "--set N");
  CHECK(ps.integer("N") == 7);
  ps.set_text("on", "false", "--set on");
  CHECK_FALSE(ps.flag("on"));
  ps.set_text("mode", "a", "--set mode");  // a choice is taken verbatim, no quotes needed
  CHECK(ps.choice("mode") == "a");
  ps.set_text("q", "1/3", "--set q");
  CHECK(ps.rational("q") == "1/3");
  CHECK(ps.at("q").value == doctest::Approx(1.0 / 3));

  auto e = expect_refused(ps, "--set K", [&] { ps.set_text("K", "fast", "--set K"); });
  CHECK(contains(e.message(), "\"fast\""));  // the raw text is shown
  expect_refused(ps, "--set K", [&] { ps.set_text("K", "1.5x", "--set K"); });
  expect_refused(ps, "--set N", [&] { ps.set_text("N", "7.5", "--set N"); });
  expect_refused(ps, "--set on", [&] { ps.set_text("on", "1", "--set on"); });
  expect_refused(ps, "--set on", [&] { ps.set_text("on", "yes", "--set on"); });
  expect_refused(ps, "--set mode", [&] { ps.set_text("mode", "\"a\"", "--set mode"); });
  expect_refused(ps, "--set q", [&] { ps.set_text("q", "1/0", "--set q"); });
  CHECK_THROWS_AS(ps.set_text("missing", "1", "--set missing"), std::out_of_range);
}

TEST_CASE("core: ParamSet set_value clamps and rounds; reset_to_default restores") {
  obs::ParamSet ps = make_params();
  ps.set_value("K", 99);
  CHECK(ps.real("K") == 50);
  ps.set_value("K", -3);
  CHECK(ps.real("K") == 0);
  ps.set_value("N", 12.6);
  CHECK(ps.integer("N") == 13);
  ps.set_value("N", 1e12);
  CHECK(ps.integer("N") == 1000);
  ps.set_value("mode", 7);
  CHECK(ps.choice("mode") == "c");
  CHECK_FALSE(ps.at("K").is_default());
  ps.set_rational_text("q", "-1/3");
  CHECK_FALSE(ps.at("q").is_default());
  for (const auto& p : ps.all()) ps.reset_to_default(p.name);
  for (const auto& p : ps.all()) CHECK(p.is_default());
  CHECK(ps.rational("q") == "1/2");
  CHECK(ps.at("q").value == 0.5);
}
