package sc.fiji.stylecrafter.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * {@code torch.nn.Conv2d} (square kernel, no dilation, one group); weight {@code [out, in, k, k]}. Built from weights
 * with {@link Weights#bfloat16Products()}, it holds its weight and bias as bfloat16 and computes through
 * {@link Bfloat16}.
 */
public final class Conv2d {

	private final NDArray weight;
	private final NDArray bias;
	private final int stride;
	private final int padding;
	private final boolean bfloat16;

	public Conv2d(Weights w, long in, long out, int kernel, int stride, int padding) {
		this.bfloat16 = w.bfloat16Products();
		NDArray weight = w.get("weight", out, in, kernel, kernel), bias = w.get("bias", out);
		this.weight = bfloat16 ? Bfloat16.pack(weight) : weight;
		this.bias = bfloat16 ? Bfloat16.pack(bias) : bias;
		this.stride = stride;
		this.padding = padding;
	}

	/** {@code [N, in, H, W] -> [N, out, H', W']}. */
	public NDArray forward(NDArray x) {
		try (OpProfile.Section s = OpProfile.enter(OpProfile.Kind.CONVOLUTION)) {
			NDArray y = bfloat16 ? Bfloat16.conv2d(x, weight, bias, stride, padding)
				: ai.djl.nn.convolutional.Conv2d.conv2d(x, weight, bias, new Shape(stride, stride), new Shape(padding, padding), new Shape(1, 1), 1).singletonOrThrow();
			Shape w = weight.getShape();
			FlopCounter.add(2 * y.getShape().size() * w.get(1) * w.get(2) * w.get(3));
			return y;
		}
	}

	/**
	 * Nearest-neighbour upsampling x2, then this convolution (the UNet's and the VAE's {@code Upsample}); the enlarged
	 * copy is freed at once.
	 */
	public NDArray forwardUpsampled(NDArray x) {
		try (Scope scope = new Scope()) {
			return scope.keep(forward(x.repeat(2, 2).repeat(3, 2)));
		}
	}
}
