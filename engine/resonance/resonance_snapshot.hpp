#pragma once
// What the carrier phase-wheel view needs from the resonance system, in plain std types: the
// view includes this header only. Notation follows ../shared/design/resonant-compression.md.
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "core/system.hpp"

namespace obs::resonance {

enum class Origin : std::uint8_t { Initial = 0, Mitosis = 1, Genesis = 2 };
// A mitosis parent lives on with part of its spectrum (Algorithm 2), so a life ends only by dissolution.
enum class Fate : std::uint8_t { Alive = 0, Dissolved = 1 };

struct CarrierView {
  std::uint32_t id = 0;            // stable over the carrier's life, never reused
  double psi = 0;                  // phase of c_k (rad)
  double magnitude = 0;            // |c_k|
  double frequency = 0;            // intrinsic frequency (rad/s)
  double spectral_centre = 0;      // intake-weighted mean frequency of its bonded oscillators
  double gate_width = 0;           // W_k
  double intake = 0;               // intake EMA
  double coherence = 0;            // coh(k)
  double baseline = 0;             // b_k, random-phase baseline
  double D = 0;                    // D_k
  double energy = 0;               // metabolic store, where the model keeps one
  int bonds = 0;                   // live bonds (nonzeros of column k of P)
  std::uint64_t born_step = 0;
  Origin origin = Origin::Initial;
  bool refractory = false;
  std::vector<float> spectrum;     // spectral profile histogram (bins over spectrum_min..max)
};

// A bonded oscillator drawn around its carrier's wheel (capped per carrier for large N).
struct BondDot {
  std::uint32_t carrier_index = 0;  // into carriers
  std::uint32_t oscillator = 0;
  float phase = 0;                  // phi_i
  float weight = 0;                 // P_ik * T_ik (dot size)
};

// One carrier's life for the lifetime timeline (alive and recently dead).
// Checkpoints write it as raw bytes, so the padding is spelled out and zeroed: two equal lives
// give equal bytes.
struct Lifetime {
  std::uint32_t id = 0;
  std::uint32_t parent = 0;  // the carrier it split from by mitosis (which lives on); 0 = none
  std::uint64_t born_step = 0, end_step = 0;  // end_step = current step while alive
  Origin origin = Origin::Initial;
  Fate fate = Fate::Alive;
  std::uint8_t unused[6] = {};
};
static_assert(std::has_unique_object_representations_v<Lifetime>);

struct ResonanceSnapshot : Snapshot {
  double time = 0;
  std::uint64_t oscillators = 0;    // N (live)
  double spectrum_min = 0, spectrum_max = 0;  // frequency range of the spectrum histograms
  std::vector<CarrierView> carriers;
  std::vector<BondDot> dots;
  std::vector<Lifetime> lifetimes;

  // The presence matrix as a heatmap: oscillators sorted by natural frequency and binned into
  // presence_rows rows, one column per carrier (same order as carriers); row-major.
  int presence_rows = 0;
  std::vector<float> presence;

  double R = 0;                     // global order parameter
  double L_comp = 0;                // compression loss
  double density = 0;               // nnz(P) / (N * M)
  std::uint64_t births = 0, deaths = 0;  // totals since reset
};

}  // namespace obs::resonance
