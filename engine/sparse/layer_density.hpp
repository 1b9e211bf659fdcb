#pragma once
// How an overall density is shared among the layers of a sparse network. Uniform gives every
// layer the same density, which starves small layers: at 1 % the 100 -> 10 output layer of
// LeNet-300-100 keeps 10 weights, one per class. Erdos-Renyi (SET's rule, Mocanu et al. 2018)
// makes a layer's density proportional to (n_in + n_out) / (n_in n_out), so small layers are
// denser, with the scale chosen so that the network as a whole has the asked density; a layer
// the rule would make denser than 1 is dense, and the others share what remains.
#include <vector>

namespace obs::sparse {

enum class DensityRule { Uniform, ErdosRenyi };

// sizes = {inputs, hidden..., outputs}; one density per layer (sizes.size() - 1 of them), each
// in (0, 1]. Overall, sum(d_l n_in n_out) = density sum(n_in n_out) unless every layer is dense.
std::vector<double> layer_densities(const std::vector<int>& sizes, double density, DensityRule rule);

}  // namespace obs::sparse
