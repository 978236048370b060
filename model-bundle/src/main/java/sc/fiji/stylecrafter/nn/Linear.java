package sc.fiji.stylecrafter.nn;

import ai.djl.ndarray.NDArray;

/** {@code torch.nn.Linear}: {@code y = x W^T + b}; weight {@code [out, in]}. */
public final class Linear {

	private final NDArray weight;
	private final NDArray bias;

	public Linear(Weights w, long in, long out, boolean bias) {
		this.weight = w.get("weight", out, in);
		this.bias = bias ? w.get("bias", out) : null;
	}

	/** A linear layer over given tensors (e.g. a slice of a fused projection). */
	public Linear(NDArray weight, NDArray bias) {
		this.weight = weight;
		this.bias = bias;
	}

	/** {@code [..., in] -> [..., out]}, allocated on {@code x}'s manager. */
	public NDArray forward(NDArray x) {
		FlopCounter.add(2 * x.getShape().size() * weight.getShape().get(0));
		return ai.djl.nn.core.Linear.linear(x, weight, bias).singletonOrThrow();
	}
}
