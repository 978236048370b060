package sc.fiji.stylecrafter.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Products in bfloat16 ({@link Bfloat16}): the weight and bias are packed to bfloat16 once and the float32 copies
 * closed; at each input shape the bfloat16 route is taken only where {@link RouteChecks} found it right on this
 * machine, elsewhere the layer computes in float32 with its weights converted back from bfloat16 once.
 */
final class Bfloat16Kernels implements Kernels {

	@Override
	public Product linear(NDArray weight, NDArray bias) {
		Shape s = weight.getShape();
		long out = s.get(0), in = s.get(1);
		NDArray w = Bfloat16.pack(weight), b = Bfloat16.pack(bias);
		Bfloat16.Unpacked unpacked = new Bfloat16.Unpacked(w, b);
		boolean hasBias = b != null;
		return (x, shape) -> {
			long rows = x.getShape().size() / Math.max(in, 1);
			boolean route = RouteChecks.accept(Route.BFLOAT16_LINEAR, Linear.shape(rows, in, out, hasBias, "bfloat16 products"), x,
				m -> Bfloat16.checkLinear(m, rows, in, out, hasBias));
			if (RouteChecks.tracing()) return RouteChecks.zeros(x, shape);
			if (route) return Bfloat16.linear(x, w, b);
			NDArray[] f = unpacked.get();
			return Linear.plain(x, f[0], f[1]);
		};
	}

	@Override
	public Product convolution(NDArray weight, NDArray bias, int stride, int padding) {
		Shape ws = weight.getShape();
		NDArray w = Bfloat16.pack(weight), b = Bfloat16.pack(bias);
		Bfloat16.Unpacked unpacked = new Bfloat16.Unpacked(w, b);
		return (x, shape) -> {
			Shape xs = x.getShape();
			boolean route = RouteChecks.accept(Route.BFLOAT16_CONVOLUTION, xs + " * " + ws + ", stride " + stride + ", padding " + padding, x,
				m -> Bfloat16.checkConvolution(m, xs, ws, stride, padding));
			if (RouteChecks.tracing()) return RouteChecks.zeros(x, shape);
			if (route) return Bfloat16.conv2d(x, w, b, stride, padding);
			NDArray[] f = unpacked.get();
			return Conv2d.plain(x, f[0], f[1], stride, padding);
		};
	}

	@Override
	public String label() {
		return "bfloat16 products";
	}
}
