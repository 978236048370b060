package sc.fiji.stylecrafter.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * {@code torch.nn.Conv2d} (square kernel, no dilation, one group); weight {@code [out, in, k, k]}. The product is
 * computed by the {@link Kernels} of the layer's weights; libtorch's convolution in the activations' type is the
 * reference.
 */
public final class Conv2d {

	private final Shape weight;
	private final int stride;
	private final int padding;
	private final Kernels.Product product;

	public Conv2d(Weights w, long in, long out, int kernel, int stride, int padding) {
		NDArray weight = w.get("weight", out, in, kernel, kernel), bias = w.get("bias", out);
		this.weight = weight.getShape();
		this.stride = stride;
		this.padding = padding;
		this.product = w.kernels().convolution(weight, bias, stride, padding);
	}

	/** {@code [N, in, H, W] -> [N, out, H', W']}. */
	public NDArray forward(NDArray x) {
		try (OpProfile.Section s = OpProfile.enter(OpProfile.Kind.CONVOLUTION)) {
			Shape xs = x.getShape(), w = weight;
			long k = w.get(2);
			Shape ys = new Shape(xs.get(0), w.get(0), (xs.get(2) + 2 * padding - k) / stride + 1, (xs.get(3) + 2 * padding - k) / stride + 1);
			FlopCounter.add(2 * ys.size() * w.get(1) * w.get(2) * w.get(3));
			return product.apply(x, ys);
		}
	}

	/** The reference: libtorch's convolution. */
	static NDArray plain(NDArray x, NDArray weight, NDArray bias, int stride, int padding) {
		return ai.djl.nn.convolutional.Conv2d.conv2d(x, weight, bias, new Shape(stride, stride), new Shape(padding, padding), new Shape(1, 1), 1).singletonOrThrow();
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
