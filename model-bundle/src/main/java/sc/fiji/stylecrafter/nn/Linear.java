package sc.fiji.stylecrafter.nn;

import java.util.Locale;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * {@code torch.nn.Linear}: {@code y = x W^T + b}; weight {@code [out, in]}.
 *
 * <p>On an x86-64 CPU in float32, a large product runs as a 1x1 convolution over a channels-last view of the rows
 * (no copy in or out): libtorch then takes oneDNN's convolution instead of the BLAS matrix product, measured 1.1 to 1.8
 * times faster at the UNet's and the image encoder's sizes on an AMD Zen 4 (MKL's x86 kernels are slower on AMD
 * CPUs), and slower for few rows or narrow layers, which keep the plain product. Both agree to float rounding.
 * {@code -Dstylecrafter.linear=gemm} turns the route off.
 */
public final class Linear {

	/** At least this many rows and this many weights ({@code in * out}) for the convolution route. */
	static final long CONVOLUTION_MIN_ROWS = 256;
	static final long CONVOLUTION_MIN_WEIGHTS = 320L * 320;
	private static final boolean CONVOLUTION_ROUTE = !"gemm".equals(System.getProperty("stylecrafter.linear"))
		&& System.getProperty("os.arch", "").toLowerCase(Locale.ROOT).matches("amd64|x86_64");

	private final NDArray weight;
	private final NDArray bias;
	/** The weight as a {@code [out, in, 1, 1]} kernel (a view), where the convolution route may be taken. */
	private final NDArray kernel;
	/** Weight and bias are packed bfloat16 ({@link Bfloat16}). */
	private final boolean bfloat16;

	/** From weights; with {@link Weights#bfloat16Products()} the layer holds bfloat16 weights and computes through {@link Bfloat16}. */
	public Linear(Weights w, long in, long out, boolean bias) {
		this(w.get("weight", out, in), bias ? w.get("bias", out) : null, w.bfloat16Products());
	}

	/** A float32 linear layer over given tensors (e.g. a slice of a fused projection). */
	public Linear(NDArray weight, NDArray bias) {
		this(weight, bias, false);
	}

	private Linear(NDArray weight, NDArray bias, boolean bfloat16) {
		this.bfloat16 = bfloat16;
		this.weight = bfloat16 ? Bfloat16.pack(weight) : weight;
		this.bias = bfloat16 ? Bfloat16.pack(bias) : bias;
		if (bfloat16) {
			this.kernel = null;
			return;
		}
		Shape s = weight.getShape();
		boolean wide = s.get(0) * s.get(1) >= CONVOLUTION_MIN_WEIGHTS;
		this.kernel = CONVOLUTION_ROUTE && wide && ai.djl.Device.Type.CPU.equals(weight.getDevice().getDeviceType()) && weight.getDataType() == DataType.FLOAT32 ? weight.reshape(s.get(0), s.get(1), 1, 1)
			: null;
	}

	/** {@code [..., in] -> [..., out]}, allocated on {@code x}'s manager. */
	public NDArray forward(NDArray x) {
		try (OpProfile.Section s = OpProfile.enter(OpProfile.Kind.MATRIX_PRODUCT)) {
			Shape xs = x.getShape();
			long in = xs.get(xs.dimension() - 1), rows = xs.size() / Math.max(in, 1), out = weight.getShape().get(0);
			FlopCounter.add(2 * rows * in * out);
			if (bfloat16) return Bfloat16.linear(x, weight, bias);
			if (kernel == null || rows < CONVOLUTION_MIN_ROWS) return ai.djl.nn.core.Linear.linear(x, weight, bias).singletonOrThrow();
			// rows [R, in] seen as a channels-last image [1, in, 1, R] (strides R*in, 1, R*in, in); the result [1, out, 1, R]
			// comes back channels-last, so [1, 1, R, out] is a contiguous view of it. (As [1, in, R, 1] libtorch does not
			// recognise the layout and both sides are copied.)
			NDArray image = x.reshape(1, 1, rows, in).transpose(0, 3, 1, 2);
			NDArray y = ai.djl.nn.convolutional.Conv2d.conv2d(image, kernel, bias, UNIT, ZERO, UNIT, 1).singletonOrThrow();
			long[] shape = xs.getShape().clone();
			shape[shape.length - 1] = out;
			return y.transpose(0, 2, 3, 1).reshape(new Shape(shape));
		}
	}

	private static final Shape UNIT = new Shape(1, 1);
	private static final Shape ZERO = new Shape(0, 0);
}
