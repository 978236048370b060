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
		PackedWeights.Holder w = new PackedWeights.Holder(Bfloat16.pack(weight));
		NDArray b = Bfloat16.pack(bias);
		Bfloat16.Unpacked unpacked = new Bfloat16.Unpacked(w, b);
		boolean hasBias = b != null;
		boolean packable = PackedWeights.BFLOAT16.problem == null;
		return (x, shape) -> {
			long rows = x.getShape().size() / Math.max(in, 1);
			String key = Linear.shape(rows, in, out, hasBias, "bfloat16 products");
			RouteChecks.Verdict plain = RouteChecks.consult(Route.BFLOAT16_LINEAR, key, x, m -> Bfloat16.checkLinear(m, rows, in, out, hasBias));
			RouteChecks.Verdict packed = packable
				? RouteChecks.consult(Route.BFLOAT16_PACKED_LINEAR, key, x, m -> Bfloat16.checkPackedLinear(m, rows, in, out, hasBias)) : null;
			if (RouteChecks.tracing()) return RouteChecks.zeros(x, shape);
			Route route = RouteChecks.fastest(packed, plain);
			if (route == Route.BFLOAT16_PACKED_LINEAR) {
				return PackedWeights.BFLOAT16.linear(x.reshape(rows, in), w.packed(PackedWeights.BFLOAT16::packLinear), b).reshape(shape);
			}
			if (route == Route.BFLOAT16_LINEAR) return Bfloat16.linear(x, w.plain(x), b);
			NDArray[] f = unpacked.get(x);
			return Linear.plain(x, f[0], f[1]);
		};
	}

	@Override
	public Product convolution(NDArray weight, NDArray bias, int stride, int padding) {
		Shape ws = weight.getShape();
		PackedWeights.Holder w = new PackedWeights.Holder(Bfloat16.pack(weight));
		NDArray b = Bfloat16.pack(bias);
		Bfloat16.Unpacked unpacked = new Bfloat16.Unpacked(w, b);
		boolean packable = PackedWeights.BFLOAT16.problem == null && b != null;
		return (x, shape) -> {
			Shape xs = x.getShape();
			String key = xs + " * " + ws + ", stride " + stride + ", padding " + padding;
			RouteChecks.Verdict plain = RouteChecks.consult(Route.BFLOAT16_CONVOLUTION, key, x, m -> Bfloat16.checkConvolution(m, xs, ws, stride, padding));
			RouteChecks.Verdict packed = packable
				? RouteChecks.consult(Route.BFLOAT16_PACKED_CONVOLUTION, key, x, m -> Bfloat16.checkPackedConvolution(m, xs, ws, stride, padding)) : null;
			if (RouteChecks.tracing()) return RouteChecks.zeros(x, shape);
			Route route = RouteChecks.fastest(packed, plain);
			if (route == Route.BFLOAT16_PACKED_CONVOLUTION) {
				return PackedWeights.BFLOAT16.convolution(x, w.packed(bf -> PackedWeights.BFLOAT16.packConvolution(bf, stride, padding)), b, stride, padding);
			}
			if (route == Route.BFLOAT16_CONVOLUTION) return Bfloat16.conv2d(x, w.plain(x), b, stride, padding);
			NDArray[] f = unpacked.get(x);
			return Conv2d.plain(x, f[0], f[1], stride, padding);
		};
	}

	@Override
	public String label() {
		return "bfloat16 products";
	}
}
