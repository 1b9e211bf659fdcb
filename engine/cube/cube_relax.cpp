#include "cube/cube_relax.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

#include "cube/cube_readout.hpp"

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace obs::cube {
namespace {

// 16 floats: one AVX-512 register (two AVX2 registers elsewhere). GCC/Clang vector
// extensions keep the accumulator in a register across the 26 neighbour terms.
typedef float v16 __attribute__((vector_size(64)));
constexpr int kLanes = 16;
constexpr int kMaxBatch = 256;
// Below this side a step is a few microseconds: waking a second thread costs more than it saves.
constexpr int kParallelMinSide = 12;

inline v16 load16(const float* p) {
  v16 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store16(float* p, v16 v) { std::memcpy(p, &v, sizeof v); }
inline v16 splat(float x) { return v16{} + x; }

// Per-block accumulators, kept as vectors across the block so the horizontal reductions
// happen once per block instead of once per neuron (they cost as much as the field did).
struct Acc {
  v16 vmax{}, vsum{}, vchk{};
  float max_ds = 0, chk = 0;  // the scalar path's share
  double sum_ds = 0;
  void reduce() {
    float m = max_ds, sum = 0, ck = chk;
    for (int l = 0; l < kLanes; ++l) {
      m = std::max(m, vmax[l]);
      sum += vsum[l];
      ck += vchk[l];
    }
    max_ds = m;
    sum_ds += sum;
    chk = ck;
  }
};

// The field of NC consecutive 16-example chunks of neuron p, starting at example b0:
// bias + sum_d w(p, d) s_{p + off(d)}, terms added in d order (the scalar path's order, so
// both paths give the same bits). The neighbour loop is outermost so each weight is
// broadcast once and the NC accumulators are independent chains that hide the add latency.
template <int NC>
inline void field(const float* sq, const float* wp, const std::ptrdiff_t* offB, float bias, const float* drv, v16* acc) {
  for (int j = 0; j < NC; ++j) acc[j] = splat(bias);
  if (drv)  // a far-face neuron under a face readout: the units' drive, right after the bias
    for (int j = 0; j < NC; ++j) acc[j] += load16(drv + j * kLanes);
  for (int d = 0; d < kNeighbours; ++d) {
    const v16 wd = splat(wp[d]);
    const float* q = sq + offB[d];
    for (int j = 0; j < NC; ++j) acc[j] += wd * load16(q + j * kLanes);
  }
}

// Clips, stores and accounts NC chunks of one neuron.
template <int NC>
inline void finish(v16* acc, float* sp, const float* tgt, float beta, float inv, float omega, Acc& a) {
  const v16 zero = splat(0.0f), one = splat(1.0f);
  for (int j = 0; j < NC; ++j) {
    v16 v = acc[j];
    if (tgt) v = (v + beta * load16(tgt + j * kLanes)) * inv;
    a.vchk += v * zero;  // NaN for a NaN or Inf field
    const v16 old = load16(sp + j * kLanes);
    if (omega != 1.0f) v = old + omega * (v - old);  // 1: exactly the Gauss-Seidel bits
    v = v < zero ? zero : v;
    v = v > one ? one : v;
    v16 diff = v - old;
    diff = diff < zero ? -diff : diff;
    a.vmax = diff > a.vmax ? diff : a.vmax;
    a.vsum += diff;
    store16(sp + j * kLanes, v);
  }
}

template <int NC>
inline void chunks(float* s, const float* wp, const std::ptrdiff_t* offB, float bias, const float* drv, std::size_t pB,
                   const float* tgt, float beta, float inv, float omega, Acc& a) {
  v16 acc[NC];
  field<NC>(s + pB, wp, offB, bias, drv, acc);
  finish<NC>(acc, s + pB, tgt, beta, inv, omega, a);
}

// One neuron, all examples, batch a multiple of 16. drv: its B drive terms, or null.
inline void update_vec(Cube& c, std::size_t p, float beta, const std::ptrdiff_t* offB, const float* drv, Acc& a) {
  const int B = c.B;
  const float* wp = c.w.data() + p * kNeighbours;
  float* s = c.s.data();
  const std::size_t pB = p * static_cast<std::size_t>(B);
  const int k = c.out_class[p];
  const float* tgt = k >= 0 && beta != 0 ? c.target.data() + static_cast<std::size_t>(k) * B : nullptr;
  const float inv = 1.0f / (1.0f + beta);
  const float bias = c.bias[p];
  const float shown = s[pB + static_cast<std::size_t>(c.show)];
  int b0 = 0;
  for (; b0 + 4 * kLanes <= B; b0 += 4 * kLanes)
    chunks<4>(s + b0, wp, offB, bias, drv ? drv + b0 : nullptr, pB, tgt ? tgt + b0 : nullptr, beta, inv, c.omega, a);
  for (; b0 + 2 * kLanes <= B; b0 += 2 * kLanes)
    chunks<2>(s + b0, wp, offB, bias, drv ? drv + b0 : nullptr, pB, tgt ? tgt + b0 : nullptr, beta, inv, c.omega, a);
  for (; b0 < B; b0 += kLanes)
    chunks<1>(s + b0, wp, offB, bias, drv ? drv + b0 : nullptr, pB, tgt ? tgt + b0 : nullptr, beta, inv, c.omega, a);
  c.vel0[p] = std::fabs(s[pB + static_cast<std::size_t>(c.show)] - shown);
}

// Any batch size: the same arithmetic one example at a time.
inline void update_scalar(Cube& c, std::size_t p, float beta, const float* drv, Acc& a) {
  const int B = c.B;
  const float* wp = c.w.data() + p * kNeighbours;
  float* s = c.s.data();
  float* sp = s + p * static_cast<std::size_t>(B);
  const int k = c.out_class[p];
  const bool nudged = k >= 0 && beta != 0;
  const float inv = 1.0f / (1.0f + beta);
  const float shown = sp[c.show];
  float acc[kMaxBatch];
  for (int b = 0; b < B; ++b) acc[b] = c.bias[p];
  if (drv)
    for (int b = 0; b < B; ++b) acc[b] += drv[b];
  for (int d = 0; d < kNeighbours; ++d) {
    const float wd = wp[d];
    const float* q = s + static_cast<std::size_t>(static_cast<std::ptrdiff_t>(p) + c.off[static_cast<std::size_t>(d)]) * B;
    for (int b = 0; b < B; ++b) acc[b] += wd * q[b];
  }
  float m = a.max_ds, sum = 0, chk = 0;
  for (int b = 0; b < B; ++b) {
    float v = acc[b];
    if (nudged) v = (v + beta * c.target[static_cast<std::size_t>(k) * B + b]) * inv;
    chk += v * 0.0f;
    if (c.omega != 1.0f) v = sp[b] + c.omega * (v - sp[b]);
    v = v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v);
    const float diff = std::fabs(v - sp[b]);
    m = std::max(m, diff);
    sum += diff;
    sp[b] = v;
  }
  a.max_ds = m;
  a.sum_ds += sum;
  a.chk += chk;
  c.vel0[p] = std::fabs(sp[c.show] - shown);
}

// ---- Batch 1: a row segment at a time, vectorised along x ---------------------------------
//
// With one example a neuron's state is a single float, so the batch-innermost vector path has
// nothing to vectorise. Instead lane l of a vector is neuron x0 + l of a row segment: the
// neighbour rows at y +- 1, z +- 1 are contiguous along x in the padded grid, so neighbour d's
// contribution to all 16 fields is one unaligned load. Even-x and odd-x neurons are two colour
// classes; the fields of all even ones are computed at once from the old odd states, then all
// odd ones from the new even states. Per neuron that is the scalar path's arithmetic in the
// scalar path's order (bias first, then d = 0..25), so the bits are the same.

typedef std::int32_t i16 __attribute__((vector_size(64)));
constexpr i16 kLaneIndex = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
// In-row neighbours: d = 12 is x - 1, d = 13 is x + 1 (same y, z). Every other d is in a row of
// another colour, which does not change while this segment updates.
constexpr int kLeft = 12, kRight = 13;
static_assert(neighbour_offset(kLeft)[0] == -1 && neighbour_offset(kLeft)[1] == 0 && neighbour_offset(kLeft)[2] == 0);
static_assert(neighbour_offset(kRight)[0] == 1 && neighbour_offset(kRight)[1] == 0 && neighbour_offset(kRight)[2] == 0);

// |v| by clearing the sign bit, as std::fabs does (v < 0 ? -v : v would keep -0).
inline v16 abs16(v16 v) { return std::bit_cast<v16>(std::bit_cast<i16>(v) & 0x7fffffff); }

// 16 consecutive floats; a short segment's lanes past len read as 0 (they may lie past the array).
template <bool Full>
inline v16 row16(const float* p, int len) {
  if constexpr (Full) {
    return load16(p);
  } else {
#if defined(__AVX512F__)
    // A masked load does not touch (or fault on) the lanes it leaves out.
    return std::bit_cast<v16>(_mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << len) - 1u), p));
#else
    float buf[kLanes] = {};
    std::memcpy(buf, p, static_cast<std::size_t>(len) * sizeof(float));
    return load16(buf);
#endif
  }
}

// Weight d of the segment's len neurons, from the neuron-major array: a strided gather.
template <bool Full>
inline void segment_weights(const float* wp, int len, v16* wv) {
#if defined(__AVX512F__)
  const __m512i stride = _mm512_setr_epi32(0, 26, 52, 78, 104, 130, 156, 182, 208, 234, 260, 286, 312, 338, 364, 390);
  const auto lanes = static_cast<__mmask16>(Full ? 0xffffu : (1u << len) - 1u);
  // The masked form even for a full segment: GCC 12's header for the unmasked one starts from
  // an uninitialised register and warns about it.
  for (int d = 0; d < kNeighbours; ++d)
    wv[d] = std::bit_cast<v16>(_mm512_mask_i32gather_ps(_mm512_setzero_ps(), lanes, stride, wp + d, 4));
#else
  for (int d = 0; d < kNeighbours; ++d) {
    wv[d] = v16{};
    for (int l = 0; l < len; ++l) wv[d][l] = wp[l * kNeighbours + d];
  }
#endif
}

// Segment starting at padded index p0, len neurons, interior block number block (in wrow);
// drv: the segment's drive terms (far face under a face readout), or null.
template <bool Full>
void segment_b1(Cube& c, std::size_t p0, int len, std::size_t block, const float* drv, float beta, Acc& a) {
  float* s = c.s.data() + p0;
  float* vel = c.vel0.data() + p0;
  i16 live{};
  for (int l = 0; l < len; ++l) live[l] = c.relaxes[p0 + static_cast<std::size_t>(l)] ? -1 : 0;

  v16 wv[kNeighbours];
  if (!c.wrow.empty()) {
    const float* wr = c.wrow.data() + block * kNeighbours * kLanes;
    for (int d = 0; d < kNeighbours; ++d) wv[d] = load16(wr + d * kLanes);
  } else {
    segment_weights<Full>(c.w.data() + p0 * kNeighbours, len, wv);
  }

  // The field's terms before the in-row ones are shared by both colours. The terms after them
  // are added again per colour (float addition is not associative, so a shared suffix sum
  // would change the bits), from rows re-read each time: a product kept for both passes would
  // have two uses and the compiler would no longer fuse it into the add as the reference does.
  v16 head = row16<Full>(c.bias.data() + p0, len);
  if (drv) head += row16<Full>(drv, len);
  for (int d = 0; d < kLeft; ++d) head += wv[d] * row16<Full>(s + c.off[static_cast<std::size_t>(d)], len);

  bool nudge = false;
  i16 out{};
  v16 tgt{};
  if (beta != 0) {
    for (int l = 0; l < len; ++l) {
      const int k = c.out_class[p0 + static_cast<std::size_t>(l)];
      if (k < 0) continue;
      out[l] = -1;
      tgt[l] = c.target[static_cast<std::size_t>(k)];
      nudge = true;
    }
  }
  const float inv = 1.0f / (1.0f + beta), omega = c.omega;
  const v16 zero = splat(0.0f), one = splat(1.0f);
  v16 ds = zero;  // each lane is updated in exactly one of the two passes
  for (int parity = 0; parity < 2; ++parity) {
    const i16 upd = live & ((kLaneIndex & 1) == parity);
    v16 v = head;
    v += wv[kLeft] * row16<Full>(s - 1, len);
    v += wv[kRight] * row16<Full>(s + 1, len);
    for (int d = kRight + 1; d < kNeighbours; ++d) v += wv[d] * row16<Full>(s + c.off[static_cast<std::size_t>(d)], len);
    if (nudge) v = out ? (v + beta * tgt) * inv : v;
    a.vchk += upd ? v * zero : zero;
    const v16 old = row16<Full>(s, len);
    if (omega != 1.0f) v = old + omega * (v - old);
    v = v < zero ? zero : v;
    v = v > one ? one : v;
    const v16 diff = upd ? abs16(v - old) : zero;
    a.vmax = diff > a.vmax ? diff : a.vmax;
    ds += diff;
    if constexpr (Full) {
      store16(s, upd ? v : old);
      store16(vel, upd ? diff : load16(vel));
    } else {
      for (int l = 0; l < len; ++l)
        if (upd[l]) {
          s[l] = v[l];
          vel[l] = diff[l];
        }
    }
  }
  // sum |ds| in double in the scalar path's order (the even/odd wavefront of relax_step); a
  // lane that was not updated adds an exact 0.
  for (int x = 0; x <= len; ++x) {
    if (x < len && (x & 1) == 0) a.sum_ds += ds[x];
    if (x > 0 && ((x - 1) & 1) == 1) a.sum_ds += ds[x - 1];
  }
}

// Before a lazy step: which rows of blocks hold a block that moved since step t - 1 began (the
// marks of mark_* included). The step keeps the flags current as its own blocks move.
void mark_hot_rows(Cube& c, std::int64_t t) {
  const std::size_t row_len = static_cast<std::size_t>(c.segs + 2);
  const std::int64_t since = t - 1;
  for (std::size_t r = 0; r < c.row_hot.size(); ++r) {
    const std::int64_t* m = c.moved_at.data() + r * row_len;
    std::uint8_t hot = 0;
    for (std::size_t g = 0; g < row_len; ++g) hot |= m[g] >= since ? 1 : 0;
    c.row_hot[r] = hot;
  }
}

// Whether a block of row r can be active: some row among r's nine neighbours (y +- 1, z +- 1)
// is hot. block_active has the final say; this only lets a quiet row be skipped whole.
bool row_near_hot(const Cube& c, std::size_t r) {
  const std::size_t sz = static_cast<std::size_t>(c.n + 2);
  const std::uint8_t* h = c.row_hot.data();
  for (std::size_t oz : {r - sz, r, r + sz})
    if (h[oz - 1] | h[oz] | h[oz + 1]) return true;
  return false;
}

bool block_active(const Cube& c, std::size_t b, std::int64_t t) {
  const std::size_t sx = 1, sy = static_cast<std::size_t>(c.segs + 2), sz = sy * static_cast<std::size_t>(c.n + 2);
  const std::int64_t since = t - 1;
  const std::int64_t* m = c.moved_at.data();
  for (std::size_t oz : {b - sz, b, b + sz})
    for (std::size_t oy : {oz - sy, oz, oz + sy})
      if (m[oy - sx] >= since || m[oy] >= since || m[oy + sx] >= since) return true;
  return false;
}

}  // namespace

void relax_step(Cube& c, std::int64_t t, bool lazy, float tol, std::vector<RelaxStats>& partial, RelaxStats& out,
                RelaxKernel kernel) {
  const bool vec = c.B % kLanes == 0;
  const bool rows = c.B == 1 && kernel == RelaxKernel::Fast;
  const float beta = c.beta;
  std::ptrdiff_t offB[kNeighbours];
  for (int d = 0; d < kNeighbours; ++d) offB[d] = c.off[static_cast<std::size_t>(d)] * c.B;
  auto finish_block = [&](std::size_t b, Acc& a, RelaxStats& st) {
    a.reduce();
    c.updated_at[b] = t;
    // (A NaN |ds| never reaches max_ds: std::max and the vector compare drop it. The field
    // check sets nonfinite instead, and the system quarantines it and marks every block.)
    if (!(a.max_ds <= tol)) {
      c.moved_at[b] = t;
      // Only this plane's thread writes this plane's rows, and planes z +- 1, which read them,
      // run in the other parity's half of the step: no race.
      c.row_hot[b / static_cast<std::size_t>(c.segs + 2)] = 1;
    }
    st.max_ds = std::max(st.max_ds, a.max_ds);
    st.sum_ds += a.sum_ds;
    st.updated += c.block_free[b];
    st.blocks += 1;
    st.macs += c.block_macs[b];
    if (!std::isfinite(a.chk)) st.nonfinite = true;
  };
  // One parallel region per step, not one per parity: on a loaded 2-core machine every
  // fork/join is a chance to wait a whole time slice for a descheduled thread.
  auto plane = [&](int z) {
    RelaxStats st;
    // Under a face readout the far face's fields gain the units' drive, [face neuron][example].
    const float* face_drive = c.ro.active() && z == c.n - 1 ? c.ro.drive.data() : nullptr;
    for (int py = 0; py < 2; ++py)
      for (int y = py; y < c.n; y += 2) {
        if (lazy && !row_near_hot(c, c.block(0, y, z) / static_cast<std::size_t>(c.segs + 2))) continue;
        for (int g = 0; g < c.segs; ++g) {
          const std::size_t b = c.block(g, y, z);
          if (c.block_free[b] == 0) continue;
          if (lazy && !block_active(c, b, t)) continue;
          Acc a;
          const std::size_t base = c.idx(0, y, z);
          const int x0 = g * kSegment, x1 = std::min(c.n, x0 + kSegment);
          if (rows) {
            static_assert(kSegment == kLanes && kSegment % 2 == 0, "a row segment is one vector starting at even x");
            const std::size_t p0 = base + static_cast<std::size_t>(x0), rb = c.row_block(g, y, z);
            const float* drv = face_drive ? face_drive + static_cast<std::size_t>(y * c.n + x0) : nullptr;
            if (x1 - x0 == kLanes) segment_b1<true>(c, p0, kLanes, rb, drv, beta, a);
            else segment_b1<false>(c, p0, x1 - x0, rb, drv, beta, a);
            finish_block(b, a, st);
            continue;
          }
          auto update = [&](int x) {
            const std::size_t p = base + static_cast<std::size_t>(x);
            if (!c.relaxes[p]) return;
            const float* drv = face_drive ? face_drive + static_cast<std::size_t>(y * c.n + x) * static_cast<std::size_t>(c.B) : nullptr;
            if (vec) update_vec(c, p, beta, offB, drv, a);
            else update_scalar(c, p, beta, drv, a);
          };
          // Even x before odd x, as a wavefront: odd x - 1 right after even x. An odd neuron
          // reads only even x-neighbours (x - 2 and x are then both new) and an even one only
          // odd ones (still old), so the bits equal an all-even-then-all-odd pass, while the
          // nine neighbour rows are touched a few neurons at a time and stay in L1.
          for (int x = x0; x <= x1; ++x) {
            if (x < x1 && (x & 1) == 0) update(x);
            if (x > x0 && ((x - 1) & 1) == 1) update(x - 1);
          }
          finish_block(b, a, st);
        }
      }
    partial[static_cast<std::size_t>(z)] = st;
  };
  if (lazy) mark_hot_rows(c, t);
  // The team is timed per neuron updated: the lazy engine's work shrinks as the cube settles.
  AdaptiveTeam::Run team(c.relax_team, c.n >= kParallelMinSide);
#pragma omp parallel num_threads(team.size())
  for (int pz = 0; pz < 2; ++pz) {
    const int z0 = c.depth + ((c.depth & 1) != pz ? 1 : 0);
    const int planes = z0 < c.n ? (c.n - z0 + 1) / 2 : 0;
    // The implicit barrier at the end of this loop keeps the parities apart: odd planes read even ones.
#pragma omp for schedule(static)
    for (int k = 0; k < planes; ++k) plane(z0 + 2 * k);
  }
  out = RelaxStats{};
  for (int z = c.depth; z < c.n; ++z) {  // fixed order: the same bits on any thread count
    const RelaxStats& st = partial[static_cast<std::size_t>(z)];
    out.max_ds = std::max(out.max_ds, st.max_ds);
    if (st.max_ds != st.max_ds) out.max_ds = st.max_ds;
    out.sum_ds += st.sum_ds;
    out.updated += st.updated;
    out.blocks += st.blocks;
    out.macs += st.macs;
    out.nonfinite |= st.nonfinite;
  }
  team.work(static_cast<double>(out.updated) + 1.0);
  out.macs *= static_cast<std::uint64_t>(c.B);
  out.dense_macs = c.dense_macs * static_cast<std::uint64_t>(c.B);
  // The readout units: one more block of the sweep, after every plane (its count goes to both
  // the effective and the dense multiply-adds: the units are updated at every step).
  if (c.ro.active()) readout_step(c, t, tol, out);
}

void mark_all(Cube& c, std::int64_t t) {
  for (int z = c.depth; z < c.n; ++z)
    for (int y = 0; y < c.n; ++y)
      for (int g = 0; g < c.segs; ++g) c.moved_at[c.block(g, y, z)] = t - 1;
}

void mark_neuron(Cube& c, std::size_t p, std::int64_t t) {
  const auto xyz = c.coords(p);
  c.moved_at[c.block(xyz[0] / kSegment, xyz[1], xyz[2])] = t - 1;
}

void mark_outputs(Cube& c, std::int64_t t) {
  for (std::size_t p = 0; p < c.cells; ++p)
    if (c.out_class[p] >= 0) mark_neuron(c, p, t);
}

double energy(const Cube& c, int e) {
  const auto B = static_cast<std::size_t>(c.B);
  double E = 0;
  for (std::size_t p = 0; p < c.cells; ++p) {
    if (!c.relaxes[p]) continue;
    const double sp = c.s[p * B + static_cast<std::size_t>(e)];
    double field2 = 0;  // pairs among relaxing neurons counted from both ends, so halved
    for (int d = 0; d < kNeighbours; ++d) {
      const auto q = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(p) + c.off[static_cast<std::size_t>(d)]);
      const double term = static_cast<double>(c.w[p * kNeighbours + static_cast<std::size_t>(d)]) * c.s[q * B + static_cast<std::size_t>(e)];
      field2 += c.relaxes[q] ? 0.5 * term : term;
    }
    E += 0.5 * sp * sp - c.bias[p] * sp - sp * field2;
    if (c.beta != 0 && c.out_class[p] >= 0) {
      const double r = sp - c.target[static_cast<std::size_t>(c.out_class[p]) * B + static_cast<std::size_t>(e)];
      E += 0.5 * c.beta * r * r;
    }
  }
  if (c.ro.active()) E += readout_energy(c, e);
  return E;
}

std::uint64_t quarantine_nonfinite(Cube& c) {
  const auto B = static_cast<std::size_t>(c.B);
  std::uint64_t found = 0;
  for (std::size_t p = 0; p < c.cells; ++p) {
    if (!c.alive[p]) continue;
    bool hit = false;
    for (std::size_t b = 0; b < B; ++b) {
      float& v = c.s[p * B + b];
      if (!std::isfinite(v)) {
        v = 0.0f;
        hit = true;
      }
    }
    found += hit ? 1 : 0;
  }
  if (c.ro.active()) {  // the readout units are neurons too
    const std::uint64_t before = found;
    for (int k = 0; k < c.ro.K; ++k) {
      bool hit = false;
      for (std::size_t b = 0; b < B; ++b) {
        float& v = c.ro.r[static_cast<std::size_t>(k) * B + b];
        if (!std::isfinite(v)) {
          v = 0.0f;
          hit = true;
        }
      }
      found += hit ? 1 : 0;
    }
    if (found != before) refresh_drive(c);
  }
  return found;
}

}  // namespace obs::cube
