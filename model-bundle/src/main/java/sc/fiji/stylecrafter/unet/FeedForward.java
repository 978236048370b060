package sc.fiji.stylecrafter.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

import sc.fiji.stylecrafter.nn.Activations;
import sc.fiji.stylecrafter.nn.Linear;
import sc.fiji.stylecrafter.nn.Weights;

/** Ports {@code FeedForward} with {@code glu=True}: {@code net.0 = GEGLU(dim, 4 dim)}, {@code net.2 = Linear(4 dim, dim)}. */
final class FeedForward {

	private final Linear proj;
	private final Linear out;

	FeedForward(Weights w, long dim) {
		long inner = dim * 4;
		proj = new Linear(w.sub("net.0.proj"), dim, inner * 2, true);
		// net.1 is Dropout
		out = new Linear(w.sub("net.2"), inner, dim, true);
	}

	NDArray forward(NDArray x) {
		NDList h = proj.forward(x).split(2, x.getShape().dimension() - 1); // x, gate
		return out.forward(h.get(0).mul(Activations.gelu(h.get(1))));
	}
}
