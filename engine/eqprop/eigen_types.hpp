#pragma once
// Eigen for the eqprop engine. GCC 12 with -march=native (AVX-512) reports -Wmaybe-uninitialized
// inside its own avx512fintrin.h when Eigen's packet code is inlined (a known false positive of
// that compiler); it is silenced for the Eigen headers only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <Eigen/Core>
#pragma GCC diagnostic pop

namespace obs::eqprop {

using Mat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic>;
using Vec = Eigen::Matrix<float, Eigen::Dynamic, 1>;

}  // namespace obs::eqprop
