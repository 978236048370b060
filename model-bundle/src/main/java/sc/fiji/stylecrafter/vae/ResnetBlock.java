package sc.fiji.stylecrafter.vae;

import ai.djl.ndarray.NDArray;

import sc.fiji.stylecrafter.nn.Activations;
import sc.fiji.stylecrafter.nn.Conv2d;
import sc.fiji.stylecrafter.nn.GroupNorm;
import sc.fiji.stylecrafter.nn.Scope;
import sc.fiji.stylecrafter.nn.Weights;

/** Ports {@code ResnetBlock} of lvdm/modules/networks/ae_modules.py without timestep embedding. */
final class ResnetBlock {

	private final GroupNorm norm1;
	private final Conv2d conv1;
	private final GroupNorm norm2;
	private final Conv2d conv2;
	private final Conv2d ninShortcut;

	ResnetBlock(Weights w, long in, long out) {
		norm1 = new GroupNorm(w.sub("norm1"), 32, in, 1e-6f);
		conv1 = new Conv2d(w.sub("conv1"), in, out, 3, 1, 1);
		norm2 = new GroupNorm(w.sub("norm2"), 32, out, 1e-6f);
		// dropout between norm2 and conv2
		conv2 = new Conv2d(w.sub("conv2"), out, out, 3, 1, 1);
		ninShortcut = in == out ? null : new Conv2d(w.sub("nin_shortcut"), in, out, 1, 1, 0);
	}

	NDArray forward(NDArray x) {
		try (Scope scope = new Scope()) {
			NDArray h = conv1.forward(Activations.silu(norm1.forward(x)));
			h = conv2.forward(Activations.silu(norm2.forward(h)));
			return scope.keep((ninShortcut == null ? x : ninShortcut.forward(x)).add(h));
		}
	}
}
