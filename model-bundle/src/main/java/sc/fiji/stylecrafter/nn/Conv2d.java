package sc.fiji.stylecrafter.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * {@code torch.nn.Conv2d} (square kernel, no dilation, one group); weight {@code [out, in, k, k]}. libtorch's
 * convolution in the activations' type is the reference. Built from weights with {@link Weights#bfloat16Products()},
 * it holds its weight and bias as bfloat16 and computes through {@link Bfloat16}, at each input shape only where
 * {@link RouteChecks} found that route right on this machine; elsewhere in float32 with the weights converted back once.
 */
public final class Conv2d {

	private final NDArray weight;
	private final NDArray bias;
	private final int stride;
	private final int padding;
	private final boolean bfloat16;
	/** Float32 weight and bias converted from the packed ones, made where the bfloat16 route is rejected. */
	private final Bfloat16.Unpacked unpacked;

	public Conv2d(Weights w, long in, long out, int kernel, int stride, int padding) {
		this.bfloat16 = w.bfloat16Products();
		NDArray weight = w.get("weight", out, in, kernel, kernel), bias = w.get("bias", out);
		this.weight = bfloat16 ? Bfloat16.pack(weight) : weight;
		this.bias = bfloat16 ? Bfloat16.pack(bias) : bias;
		this.unpacked = bfloat16 ? new Bfloat16.Unpacked(this.weight, this.bias) : null;
		this.stride = stride;
		this.padding = padding;
	}

	/** {@code [N, in, H, W] -> [N, out, H', W']}. */
	public NDArray forward(NDArray x) {
		try (OpProfile.Section s = OpProfile.enter(OpProfile.Kind.CONVOLUTION)) {
			Shape xs = x.getShape(), w = weight.getShape();
			long k = w.get(2);
			Shape ys = new Shape(xs.get(0), w.get(0), (xs.get(2) + 2 * padding - k) / stride + 1, (xs.get(3) + 2 * padding - k) / stride + 1);
			FlopCounter.add(2 * ys.size() * w.get(1) * w.get(2) * w.get(3));
			boolean route = bfloat16 && RouteChecks.accept(Route.BFLOAT16_CONVOLUTION, xs + " * " + w + ", stride " + stride + ", padding " + padding, x,
				m -> Bfloat16.checkConvolution(m, xs, w, stride, padding));
			if (RouteChecks.tracing()) return RouteChecks.zeros(x, ys);
			if (route) return Bfloat16.conv2d(x, weight, bias, stride, padding);
			if (!bfloat16) return plain(x, weight, bias, stride, padding);
			NDArray[] f = unpacked.get();
			return plain(x, f[0], f[1], stride, padding);
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
