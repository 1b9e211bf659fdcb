// §5 architecture evolution: mitosis partitions bonds by frequency (never copies) and only on
// persistent D_k < theta_div with a multimodal profile; dissolution starves carriers without
// coherent intake; genesis needs both unbound pressure and phase clustering (Eq. 26).
#include <cmath>
#include <map>
#include <set>

#include "resonance_test_util.hpp"

using namespace resonance_test;

namespace {

nlohmann::json two_groups(double phase_sep) {
  return {{"init", "two_groups"}, {"N", 100},           {"M_max", 8},        {"omega0", 1.0},          {"group_gap", 0.2},
          {"group_spread", 0.01}, {"group_phase", phase_sep}, {"init_spread", 0.0}, {"bond_dynamics", false},
          {"genesis", false},     {"T_div", 0.3},       {"dt", 0.01},        {"measure_every", 0}};
}

}  // namespace

TEST_CASE("mitosis: antiphase groups split by frequency; bonds are moved, not copied; frequencies recentred") {
  auto s = make(two_groups(3.1));
  const auto before = dump_of(*s);
  REQUIRE(before["carriers"].size() == 1);
  run(*s, 200);
  auto m = metrics_of(*s);
  REQUIRE(m["mitoses"] == 1);
  CHECK(m["mitosis_mean_D"] < 0.95);  // the recorded window really was below theta_div
  const auto j = dump_of(*s);
  REQUIRE(j["carriers"].size() == 2);
  // Partitioned: still exactly one bond per oscillator, nnz unchanged.
  CHECK(m["nnz"] == 100);
  std::map<std::uint32_t, std::vector<double>> members;
  for (const auto& o : j["oscillators"]) {
    REQUIRE(o["bonds"].size() == 1);
    members[o["bonds"][0][0].get<std::uint32_t>()].push_back(o["omega"].get<double>());
  }
  REQUIRE(members.size() == 2);
  // Parent (id 1) keeps the low side; the child (id 2) every oscillator above the split.
  const double parent_max = *std::max_element(members[1].begin(), members[1].end());
  const double child_min = *std::min_element(members[2].begin(), members[2].end());
  CHECK(parent_max <= child_min);
  // Recentred: each carrier's omega is inside its own cluster's range, parent low, child high.
  double parent_w = 0, child_w = 0;
  for (const auto& c : j["carriers"]) (c["id"] == 1 ? parent_w : child_w) = c["omega"].get<double>();
  CHECK(parent_w < 1.0);
  CHECK(child_w > 1.0);
  CHECK(parent_w >= *std::min_element(members[1].begin(), members[1].end()));
  CHECK(child_w <= *std::max_element(members[2].begin(), members[2].end()));
  // Lifetimes: the child is recorded with origin Mitosis and its parent; the parent lives on.
  bool child_logged = false, parent_alive = false;
  for (const auto& l : j["lifetimes"]) {
    child_logged |= l["id"] == 2 && l["origin"] == 1 && l["parent"] == 1;
    parent_alive |= l["id"] == 1 && l["parent"] == 0 && l["fate"] == 0;
  }
  CHECK(child_logged);
  CHECK(parent_alive);
}

TEST_CASE("no mitosis while D_k is above theta_div (groups in phase), nor for a unimodal carrier") {
  auto in_phase = make(two_groups(0.2));
  run(*in_phase, 200);
  CHECK(metrics_of(*in_phase)["mitoses"] == 0);
  CHECK(metrics_of(*in_phase)["mean_D"] > 1);
  // Antiphase but one frequency cluster: D is low, yet nothing to factorise.
  auto p = two_groups(3.1);
  p["group_gap"] = 0.0;
  auto unimodal = make(p);
  bool saw_low_D = false;
  for (int i = 0; i < 200; ++i) {
    unimodal->step();
    saw_low_D |= metrics_of(*unimodal)["mean_D"] < 0.95;
  }
  CHECK(saw_low_D);
  CHECK(metrics_of(*unimodal)["mitoses"] == 0);
}

// The step of the first mitosis within `steps`, or -1.
static int first_mitosis(obs::ResonanceSystem& s, int steps) {
  for (int i = 1; i <= steps; ++i) {
    s.step();
    if (metrics_of(s)["mitoses"] > 0) return i;
  }
  return -1;
}

TEST_CASE("mitosis needs the instability to persist for T_div") {
  // Eq. 19 alone: the antiphase crossing is brief, shorter than a 5 s window.
  auto p = two_groups(3.1);
  p["T_div"] = 5.0;
  p["mode_instability"] = false;
  auto d_only = make(p);
  CHECK(first_mitosis(*d_only, 800) == -1);
  // The modes' alignment |cos(dphi / 2)| stays below theta_div for most of the 31 s beat of a
  // 0.2 rad/s gap, so the same window is filled, but not before 5 s (500 steps) have passed.
  p["mode_instability"] = true;
  auto modes = make(p);
  const int at = first_mitosis(*modes, 800);
  CHECK(at >= 500);
  CHECK(at < 800);
}

TEST_CASE("mode alignment: two coherent clusters a quarter cycle apart split; one Gaussian cluster never does") {
  // Two groups 1.6 rad apart: each is coherent, so D_k = coh / b is far above 1 (coh ~ cos 0.8 =
  // 0.70 against b ~ 0.089), but their modes cancel: alignment |cos(0.8)| = 0.70 < theta_div.
  auto p = two_groups(1.6);
  p["mode_instability"] = false;
  auto d_only = make(p);
  CHECK(first_mitosis(*d_only, 300) == -1);
  CHECK(metrics_of(*d_only)["mean_D"] > 5);
  p["mode_instability"] = true;
  auto modes = make(p);
  REQUIRE(first_mitosis(*modes, 300) > 0);
  CHECK(metrics_of(*modes)["mitosis_mean_D"] < 0.95);
  // Each side keeps one group: the children's frequencies sit on either side of omega0 = 1.
  const auto j = dump_of(*modes);
  REQUIRE(j["carriers"].size() == 2);
  std::map<std::uint32_t, std::set<bool>> sides;  // carrier -> which group (omega above 1) its bonds hold
  for (const auto& o : j["oscillators"])
    for (const auto& b : o["bonds"]) sides[b[0].get<std::uint32_t>()].insert(o["omega"].get<double>() > 1.0);
  REQUIRE(sides.size() == 2);
  for (const auto& [id, held] : sides) CHECK(held.size() == 1);

  // One Gaussian cluster (no gap, spread 0.1 rad/s), in the same two phase groups: the split at
  // the spectral centre puts both phase groups in each half, the halves stay aligned, and the
  // profile is unimodal anyway.
  p["group_gap"] = 0.0;
  p["group_spread"] = 0.1;
  auto gaussian = make(p);
  CHECK(first_mitosis(*gaussian, 600) == -1);
}

TEST_CASE("dissolution: a carrier whose bonds have all snapped starves and is dissolved after T_diss") {
  auto s = make({{"init", "single_carrier"}, {"N", 40}, {"capture_band", 0.0}, {"alpha_P", 0.0}, {"lambda_P", 5.0}, {"T_diss", 1.0},
                 {"amplitude", "fixed"}, {"genesis", false}, {"measure_every", 0}});
  run(*s, 100);  // bonds gone after ~0.8 s
  CHECK(metrics_of(*s)["nnz"] == 0);
  CHECK(metrics_of(*s)["M"] == 1);
  run(*s, 200);
  auto m = metrics_of(*s);
  CHECK(m["M"] == 0);
  CHECK(m["dissolutions"] == 1);
  const auto j = dump_of(*s);
  REQUIRE(j["lifetimes"].size() == 1);
  CHECK(j["lifetimes"][0]["fate"] == 1);
  // A well-fed carrier under the same metabolism survives.
  auto fed = make({{"init", "single_carrier"}, {"N", 40}, {"init_spread", 0.5}, {"T_diss", 1.0}, {"amplitude", "fixed"},
                   {"genesis", false}, {"measure_every", 0}});
  run(*fed, 300);
  CHECK(metrics_of(*fed)["M"] == 1);
}

TEST_CASE("genesis: unbound pressure AND phase clustering (Eq. 25-26); ids are never reused") {
  nlohmann::json p = {{"init", "stream"}, {"N", 200}, {"background", 0}, {"stream_group", 40}, {"stream_interval", 100.0},
                      {"stream_phase_spread", 1.0}, {"A_pressure", 10.0}, {"R_genesis", 0.5}, {"measure_every", 0}};
  auto s = make(p);
  run(*s, 300);
  CHECK(metrics_of(*s)["geneses"] >= 1);
  CHECK(metrics_of(*s)["nnz"] > 30);
  // Incoherent onset (phases spread over the circle): the same energy nucleates nothing.
  p["stream_phase_spread"] = 2 * 3.141592653589793;
  auto incoherent = make(p);
  run(*incoherent, 300);
  CHECK(metrics_of(*incoherent)["geneses"] == 0);
  // Coherent but too little energy.
  p["stream_phase_spread"] = 1.0;
  p["A_pressure"] = 1000.0;
  auto weak = make(p);
  run(*weak, 300);
  CHECK(metrics_of(*weak)["geneses"] == 0);
  // Over a long stream, every carrier that ever lived has its own id.
  auto stream = from_file("resonance_stream.json");
  run(*stream, 3000);
  const auto j = dump_of(*stream);
  std::set<std::uint32_t> ids;
  for (const auto& l : j["lifetimes"]) {
    CHECK(ids.insert(l["id"].get<std::uint32_t>()).second);
    if (l["origin"] != 1) CHECK(l["parent"] == 0);  // only a mitosis child has a parent
  }
  CHECK(ids.size() >= 4);
}
