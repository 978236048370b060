package sc.fiji.stylecrafter.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** {@code torch.nn.LayerNorm} over the last dimension, with weight and bias. */
public final class LayerNorm {

	private final NDArray weight;
	private final NDArray bias;
	private final Shape shape;
	private final float eps;

	public LayerNorm(Weights w, long dim, float eps) {
		this.weight = w.get("weight", dim);
		this.bias = w.get("bias", dim);
		this.shape = new Shape(dim);
		this.eps = eps;
	}

	public LayerNorm(Weights w, long dim) {
		this(w, dim, 1e-5f);
	}

	public NDArray forward(NDArray x) {
		try (OpProfile.Section s = OpProfile.enter(OpProfile.Kind.NORMALISATION)) {
			return ai.djl.nn.norm.LayerNorm.layerNorm(x, shape, weight, bias, eps).singletonOrThrow();
		}
	}
}
