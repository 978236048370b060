package sc.fiji.stylecrafter.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * {@code torch.nn.Linear}: {@code y = x W^T + b}; weight {@code [out, in]}. The plain matrix product is the reference.
 *
 * <p>Routes ({@link Route}), each taken at a shape only where {@link RouteChecks} found it right on this machine:
 * <ul>
 * <li>float32 on x86-64, at least {@value #CONVOLUTION_MIN_ROWS} rows of a wide layer: a 1x1 convolution over a
 * channels-last view of the rows (no copy in or out), so that libtorch takes oneDNN's convolution instead of the BLAS
 * product (measured 1.1 to 1.8 times faster at the UNet's and the image encoder's sizes on an AMD Zen 4, where MKL's
 * x86 kernels are slow; wrong at some shapes with 2 threads on a Zen 5).</li>
 * <li>with {@link Weights#bfloat16Products()}: the product in bfloat16 ({@link Bfloat16}); where that is wrong, the
 * layer computes in float32 with its weights converted back from bfloat16 once.</li>
 * </ul>
 */
public final class Linear {

	/** At least this many rows and this many weights ({@code in * out}) for the convolution route. */
	static final long CONVOLUTION_MIN_ROWS = 256;
	static final long CONVOLUTION_MIN_WEIGHTS = 320L * 320;

	private final NDArray weight;
	private final NDArray bias;
	/** The weight as a {@code [out, in, 1, 1]} kernel (a view), where the convolution route may be taken. */
	private final NDArray kernel;
	/** Weight and bias are packed bfloat16 ({@link Bfloat16}). */
	private final boolean bfloat16;
	/** Float32 weight and bias converted from the packed ones, made where the bfloat16 route is rejected. */
	private final Bfloat16.Unpacked unpacked;

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
		this.unpacked = bfloat16 ? new Bfloat16.Unpacked(this.weight, this.bias) : null;
		if (bfloat16) {
			this.kernel = null;
			return;
		}
		Shape s = weight.getShape();
		boolean wide = s.get(0) * s.get(1) >= CONVOLUTION_MIN_WEIGHTS;
		this.kernel = Route.LINEAR_CONVOLUTION.on() && wide && ai.djl.Device.Type.CPU.equals(weight.getDevice().getDeviceType())
			&& weight.getDataType() == DataType.FLOAT32 ? weight.reshape(s.get(0), s.get(1), 1, 1) : null;
	}

	/** {@code [..., in] -> [..., out]}, allocated on {@code x}'s manager. */
	public NDArray forward(NDArray x) {
		try (OpProfile.Section s = OpProfile.enter(OpProfile.Kind.MATRIX_PRODUCT)) {
			Shape xs = x.getShape();
			long in = xs.get(xs.dimension() - 1), rows = xs.size() / Math.max(in, 1), out = weight.getShape().get(0);
			long[] shape = xs.getShape().clone();
			shape[shape.length - 1] = out;
			FlopCounter.add(2 * rows * in * out);
			boolean hasBias = bias != null;
			if (bfloat16) {
				boolean route = RouteChecks.accept(Route.BFLOAT16_LINEAR, shape(rows, in, out, hasBias, "bfloat16 products"), x,
					m -> Bfloat16.checkLinear(m, rows, in, out, hasBias));
				if (RouteChecks.tracing()) return RouteChecks.zeros(x, new Shape(shape));
				if (route) return Bfloat16.linear(x, weight, bias);
				NDArray[] f = unpacked.get();
				return plain(x, f[0], f[1]);
			}
			boolean route = kernel != null && rows >= CONVOLUTION_MIN_ROWS && RouteChecks.accept(Route.LINEAR_CONVOLUTION,
				shape(rows, in, out, hasBias, x.getDataType().toString().toLowerCase(java.util.Locale.ROOT)), x, m -> checkConvolution(m, rows, in, out, hasBias));
			if (RouteChecks.tracing()) return RouteChecks.zeros(x, new Shape(shape));
			if (route) return viaConvolution(x.reshape(rows, in), kernel, bias).reshape(new Shape(shape));
			return plain(x, weight, bias);
		}
	}

	static String shape(long rows, long in, long out, boolean bias, String type) {
		return "[" + rows + ", " + in + "] -> " + out + (bias ? "" : " (no bias)") + ", " + type;
	}

	/** The reference: libtorch's linear (a matrix product). */
	static NDArray plain(NDArray x, NDArray weight, NDArray bias) {
		return ai.djl.nn.core.Linear.linear(x, weight, bias).singletonOrThrow();
	}

	/**
	 * The convolution route over rows {@code [R, in]}: seen as a channels-last image {@code [1, in, 1, R]} (strides
	 * {@code R*in, 1, R*in, in}); the result {@code [1, out, 1, R]} comes back channels-last, so {@code [1, 1, R, out]} is a
	 * contiguous view of it. (As {@code [1, in, R, 1]} libtorch does not recognise the layout and both sides are copied.)
	 */
	static NDArray viaConvolution(NDArray rows, NDArray kernel, NDArray bias) {
		Shape s = rows.getShape();
		NDArray image = rows.reshape(1, 1, s.get(0), s.get(1)).transpose(0, 3, 1, 2);
		NDArray y = ai.djl.nn.convolutional.Conv2d.conv2d(image, kernel, bias, UNIT, ZERO, UNIT, 1).singletonOrThrow();
		return RouteChecks.output(Route.LINEAR_CONVOLUTION, y.transpose(0, 2, 3, 1).reshape(s.get(0), kernel.getShape().get(0)));
	}

	/** The convolution route against the matrix product, at one shape, on random inputs. */
	static RouteChecks.Comparison checkConvolution(NDManager m, long rows, long in, long out, boolean hasBias) {
		long seed = RouteChecks.seed(shape(rows, in, out, hasBias, "float32"));
		NDArray x = RouteChecks.random(m, seed, rows, in);
		NDArray w = RouteChecks.random(m, seed + 1, out, in).div((float) Math.sqrt(in));
		NDArray b = hasBias ? RouteChecks.random(m, seed + 2, out) : null;
		NDArray k = w.reshape(out, in, 1, 1);
		return RouteChecks.compare(() -> viaConvolution(x, k, b), () -> plain(x, w, b));
	}

	private static final Shape UNIT = new Shape(1, 1);
	private static final Shape ZERO = new Shape(0, 0);
}
