package sc.fiji.stylecrafter.nn;

import java.util.Locale;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Products in the tensors' own type. The plain operators are the reference. A convolution may take oneDNN's product
 * with its weight packed once ({@link Route#PACKED_CONVOLUTION}); a linear layer the same ({@link Route#PACKED_LINEAR})
 * or the convolution route below, whichever was faster at the shape, and each only where {@link RouteChecks} found it
 * right on this machine. The convolution route: in
 * float32 on the CPU, at least {@value #CONVOLUTION_MIN_ROWS} rows of a wide layer, a 1x1 convolution over a
 * channels-last view of the rows (no copy in or out where the rows are contiguous), so that libtorch takes oneDNN's convolution instead of the BLAS
 * product (measured 1.1 to 1.8 times faster at the UNet's and the image encoder's sizes on an AMD Zen 4, where MKL's
 * x86 kernels are slow; wrong at some shapes with 2 threads on a Zen 5).
 */
final class StandardKernels implements Kernels {

	/** At least this many rows for the packed linear route (a text encoder's 77 rows ran 2x faster packed on a Zen 5). */
	static final long PACKED_MIN_ROWS = 16;
	/** At least this many rows and this many weights ({@code in * out}) for the convolution route. */
	static final long CONVOLUTION_MIN_ROWS = 256;
	static final long CONVOLUTION_MIN_WEIGHTS = 320L * 320;

	@Override
	public Product linear(NDArray weight, NDArray bias) {
		Shape s = weight.getShape();
		long out = s.get(0), in = s.get(1);
		boolean hasBias = bias != null;
		boolean cpu32 = Device.Type.CPU.equals(weight.getDevice().getDeviceType()) && weight.getDataType() == DataType.FLOAT32;
		boolean packable = cpu32 && Route.PACKED_LINEAR.on() && PackedWeights.FLOAT32.problem == null;
		boolean convolvable = cpu32 && Route.LINEAR_CONVOLUTION.on() && out * in >= CONVOLUTION_MIN_WEIGHTS;
		PackedWeights.Holder w = new PackedWeights.Holder(weight);
		return (x, shape) -> {
			long rows = x.getShape().size() / Math.max(in, 1);
			String key = Linear.shape(rows, in, out, hasBias, x.getDataType().toString().toLowerCase(Locale.ROOT));
			boolean float32 = x.getDataType() == DataType.FLOAT32;
			RouteChecks.Verdict packed = packable && float32 && rows >= PACKED_MIN_ROWS
				? RouteChecks.consult(Route.PACKED_LINEAR, key, x, m -> PackedWeights.checkLinear(m, rows, in, out, hasBias)) : null;
			RouteChecks.Verdict convolution = convolvable && rows >= CONVOLUTION_MIN_ROWS
				? RouteChecks.consult(Route.LINEAR_CONVOLUTION, key, x, m -> checkConvolution(m, rows, in, out, hasBias)) : null;
			if (RouteChecks.tracing()) return RouteChecks.zeros(x, shape);
			Route route = RouteChecks.fastest(packed, convolution);
			if (route == Route.PACKED_LINEAR) {
				return PackedWeights.FLOAT32.linear(x.reshape(rows, in), w.packed(PackedWeights.FLOAT32::packLinear), bias).reshape(shape);
			}
			if (route == Route.LINEAR_CONVOLUTION) {
				try (NDArray kernel = w.plain(x).reshape(out, in, 1, 1)) { // a view: closed at once, not kept with the model
					return viaConvolution(x.reshape(rows, in), kernel, bias).reshape(shape);
				}
			}
			return Linear.plain(x, w.plain(x), bias);
		};
	}

	@Override
	public Product convolution(NDArray weight, NDArray bias, int stride, int padding) {
		Shape ws = weight.getShape();
		boolean packable = Device.Type.CPU.equals(weight.getDevice().getDeviceType()) && weight.getDataType() == DataType.FLOAT32 && Route.PACKED_CONVOLUTION.on()
			&& PackedWeights.FLOAT32.problem == null;
		PackedWeights.Holder w = new PackedWeights.Holder(weight);
		boolean hasBias = bias != null;
		return (x, shape) -> {
			Shape xs = x.getShape();
			boolean route = packable && x.getDataType() == DataType.FLOAT32 && RouteChecks.accept(Route.PACKED_CONVOLUTION,
				xs + " * " + ws + (hasBias ? "" : " (no bias)") + ", stride " + stride + ", padding " + padding + ", float32", x,
				m -> PackedWeights.checkConvolution(m, xs, ws, hasBias, stride, padding));
			if (RouteChecks.tracing()) return RouteChecks.zeros(x, shape);
			if (route) return PackedWeights.FLOAT32.convolution(x, w.packed(p -> PackedWeights.FLOAT32.packConvolution(p, stride, padding)), bias, stride, padding);
			return Conv2d.plain(x, w.plain(x), bias, stride, padding);
		};
	}

	@Override
	public String label() {
		return "standard";
	}

	/**
	 * The convolution route over rows {@code [R, in]}: seen as a channels-last image {@code [1, in, 1, R]} (strides
	 * {@code R*in, 1, R*in, in}); the result {@code [1, out, 1, R]} comes back channels-last, so {@code [1, 1, R, out]} is a
	 * contiguous view of it. (As {@code [1, in, R, 1]} libtorch does not recognise the layout and both sides are copied.)
	 */
	static NDArray viaConvolution(NDArray rows, NDArray kernel, NDArray bias) {
		rows = DENSE.call(rows); // a transposed view of rows would reach oneDNN with other strides than the checked ones
		Shape s = rows.getShape();
		NDArray image = rows.reshape(1, 1, s.get(0), s.get(1)).transpose(0, 3, 1, 2);
		NDArray y = ai.djl.nn.convolutional.Conv2d.conv2d(image, kernel, bias, UNIT, ZERO, UNIT, 1).singletonOrThrow();
		return RouteChecks.output(Route.LINEAR_CONVOLUTION, y.transpose(0, 2, 3, 1).reshape(s.get(0), kernel.getShape().get(0)));
	}

	/** The convolution route against the matrix product, at one shape, on random inputs. */
	static RouteChecks.Comparison checkConvolution(NDManager m, long rows, long in, long out, boolean hasBias) {
		RouteChecks.LayerInputs i = RouteChecks.LayerInputs.draw(m, RouteChecks.seed(Linear.shape(rows, in, out, hasBias, "float32")), new Shape(rows, in),
			new Shape(out, in), hasBias);
		NDArray k = i.w().reshape(out, in, 1, 1);
		return RouteChecks.compare(() -> viaConvolution(i.x(), k, i.b()), () -> Linear.plain(i.x(), i.w(), i.b()));
	}

	/** The rows in the contiguous layout (no copy where they are already). */
	private static final ScriptedOp DENSE = new ScriptedOp("DenseRows", "x: Tensor", ScriptedOp.dense("x", ScriptedOp.FLOAT32));
	private static final Shape UNIT = new Shape(1, 1);
	private static final Shape ZERO = new Shape(0, 0);
}
