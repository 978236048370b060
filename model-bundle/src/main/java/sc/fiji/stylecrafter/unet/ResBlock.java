package sc.fiji.stylecrafter.unet;

import ai.djl.ndarray.NDArray;

import sc.fiji.stylecrafter.nn.Activations;
import sc.fiji.stylecrafter.nn.Conv2d;
import sc.fiji.stylecrafter.nn.GroupNorm;
import sc.fiji.stylecrafter.nn.Linear;
import sc.fiji.stylecrafter.nn.Scope;
import sc.fiji.stylecrafter.nn.Weights;

/**
 * Ports {@code ResBlock} (lvdm/modules/networks/openaimodel3d.py) as configured: no scale-shift norm, no up/down,
 * no temporal convolution. {@code in_layers = GroupNorm32, SiLU, conv3x3}; {@code emb_layers = SiLU, Linear};
 * {@code out_layers = GroupNorm32, SiLU, Dropout, conv3x3}; skip is identity or a 1x1 convolution.
 */
final class ResBlock {

	private final GroupNorm inNorm;
	private final Conv2d inConv;
	private final Linear embLinear;
	private final GroupNorm outNorm;
	private final Conv2d outConv;
	private final Conv2d skip;

	ResBlock(Weights w, long in, long out, int embDim) {
		inNorm = new GroupNorm(w.sub("in_layers.0"), UNetConfig.GROUPS, in, 1e-5f);
		// in_layers.1 is SiLU
		inConv = new Conv2d(w.sub("in_layers.2"), in, out, 3, 1, 1);
		// emb_layers.0 is SiLU
		embLinear = new Linear(w.sub("emb_layers.1"), embDim, out, true);
		outNorm = new GroupNorm(w.sub("out_layers.0"), UNetConfig.GROUPS, out, 1e-5f);
		// out_layers.1 is SiLU, out_layers.2 Dropout
		outConv = new Conv2d(w.sub("out_layers.3"), out, out, 3, 1, 1);
		skip = in == out ? null : new Conv2d(w.sub("skip_connection"), in, out, 1, 1, 0);
	}

	/** {@code x [N, in, H, W]}, {@code emb [N, embDim]} -> {@code [N, out, H, W]}. */
	NDArray forward(NDArray x, NDArray emb) {
		try (Scope scope = new Scope()) {
			NDArray h = inConv.forward(Activations.silu(inNorm.forward(x)));
			NDArray e = embLinear.forward(Activations.silu(emb)); // [N, out]
			h = h.add(e.expandDims(2).expandDims(3));
			h = outConv.forward(Activations.silu(outNorm.forward(h)));
			return scope.keep((skip == null ? x : skip.forward(x)).add(h));
		}
	}
}
