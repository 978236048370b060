package sc.fiji.stylecrafter.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * {@code torch.nn.Linear}: {@code y = x W^T + b}; weight {@code [out, in]}. The product is computed by the
 * {@link Kernels} of the layer's weights (the plain matrix product, or a route that checked right on this machine).
 */
public final class Linear {

	private final long in;
	private final long out;
	private final Kernels.Product product;

	/** From weights, with their kernels ({@link Weights#kernels()}). */
	public Linear(Weights w, long in, long out, boolean bias) {
		this(w.kernels(), w.get("weight", out, in), bias ? w.get("bias", out) : null);
	}

	/** A linear layer over given tensors (e.g. a slice of a fused projection), with the standard kernels. */
	public Linear(NDArray weight, NDArray bias) {
		this(Kernels.STANDARD, weight, bias);
	}

	private Linear(Kernels kernels, NDArray weight, NDArray bias) {
		this.out = weight.getShape().get(0);
		this.in = weight.getShape().get(1);
		this.product = kernels.linear(weight, bias);
	}

	/** {@code [..., in] -> [..., out]}, allocated on {@code x}'s manager. */
	public NDArray forward(NDArray x) {
		try (OpProfile.Section s = OpProfile.enter(OpProfile.Kind.MATRIX_PRODUCT)) {
			Shape xs = x.getShape();
			long rows = xs.size() / Math.max(in, 1);
			long[] shape = xs.getShape().clone();
			shape[shape.length - 1] = out;
			FlopCounter.add(2 * rows * in * out);
			return product.apply(x, new Shape(shape));
		}
	}

	/** A linear layer's shape in words, the key of its route verdicts: {@code [rows, in] -> out, float32}. */
	static String shape(long rows, long in, long out, boolean bias, String type) {
		return "[" + rows + ", " + in + "] -> " + out + (bias ? "" : " (no bias)") + ", " + type;
	}

	/** The reference: libtorch's linear (a matrix product). */
	static NDArray plain(NDArray x, NDArray weight, NDArray bias) {
		return ai.djl.nn.core.Linear.linear(x, weight, bias).singletonOrThrow();
	}
}
