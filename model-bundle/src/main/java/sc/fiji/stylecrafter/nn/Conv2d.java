package sc.fiji.stylecrafter.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** {@code torch.nn.Conv2d} (square kernel, no dilation, one group); weight {@code [out, in, k, k]}. */
public final class Conv2d {

	private final NDArray weight;
	private final NDArray bias;
	private final Shape stride;
	private final Shape padding;

	public Conv2d(Weights w, long in, long out, int kernel, int stride, int padding) {
		this.weight = w.get("weight", out, in, kernel, kernel);
		this.bias = w.get("bias", out);
		this.stride = new Shape(stride, stride);
		this.padding = new Shape(padding, padding);
	}

	/** {@code [N, in, H, W] -> [N, out, H', W']}. */
	public NDArray forward(NDArray x) {
		NDArray y;
		try (OpProfile.Section s = OpProfile.enter(OpProfile.Kind.CONVOLUTION)) {
			y = ai.djl.nn.convolutional.Conv2d.conv2d(x, weight, bias, stride, padding, new Shape(1, 1), 1).singletonOrThrow();
			Shape w = weight.getShape();
			FlopCounter.add(2 * y.getShape().size() * w.get(1) * w.get(2) * w.get(3));
		}
		return y;
	}
}
