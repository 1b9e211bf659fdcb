#include "learn/auroc.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

namespace obs::learn {

double auroc(std::span<const double> score, std::span<const std::uint8_t> positive) {
  const std::size_t n = std::min(score.size(), positive.size());
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  for (std::size_t i = 0; i < n; ++i)
    if (!std::isfinite(score[i])) return std::numeric_limits<double>::quiet_NaN();
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return score[a] < score[b]; });
  // The positives' rank sum, each tie group at its mean rank (1-based).
  double rank_sum = 0;
  std::size_t pos = 0;
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    while (j < n && score[order[j]] == score[order[i]]) ++j;
    const double mean_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;
    for (std::size_t k = i; k < j; ++k)
      if (positive[order[k]]) {
        rank_sum += mean_rank;
        ++pos;
      }
    i = j;
  }
  const std::size_t neg = n - pos;
  if (pos == 0 || neg == 0) return std::numeric_limits<double>::quiet_NaN();
  const double u = rank_sum - static_cast<double>(pos) * static_cast<double>(pos + 1) / 2;
  return u / (static_cast<double>(pos) * static_cast<double>(neg));
}

}  // namespace obs::learn
