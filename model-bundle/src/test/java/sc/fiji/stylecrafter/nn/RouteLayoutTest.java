package sc.fiji.stylecrafter.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * A route computes on the layout it was checked on. The layers' inputs are often transposed views (a linear layer's
 * rows after a channels-first image) or channels-last (a convolution after such a layer), while the checks draw
 * contiguous inputs; libtorch picks other kernels for other strides, so a route must give, bit for bit, what it gives
 * on the contiguous copy of its input. Where the route is not taken (slower or wrong here), the plain operator runs,
 * whose kernels may round differently per layout: then only float rounding is allowed.
 */
class RouteLayoutTest {

	private static final ScriptedOp CONTIGUOUS = new ScriptedOp("ContiguousCopy", "x: Tensor", "x.contiguous()");

	@Test
	void bfloat16LinearOnATransposedViewEqualsItOnTheContiguousCopy() {
		linearOnATransposedView(Kernels.BFLOAT16, Route.BFLOAT16_LINEAR, Route.BFLOAT16_PACKED_LINEAR);
	}

	@Test
	void packedLinearOnATransposedViewEqualsItOnTheContiguousCopy() {
		linearOnATransposedView(Kernels.STANDARD, Route.PACKED_LINEAR, Route.LINEAR_CONVOLUTION);
	}

	/** The convolution route alone (the packed one made wrong, so rejected): which of the two is faster varies by run. */
	@Test
	void linearConvolutionOnATransposedViewEqualsItOnTheContiguousCopy() throws Exception {
		try (AutoCloseable packed = RouteChecks.breakOnPurpose(Route.PACKED_LINEAR)) {
			linearOnATransposedView(Kernels.STANDARD, Route.LINEAR_CONVOLUTION);
		}
		RouteChecks.takeReports();
	}

	/** Bit for bit where one of {@code routes} is taken; float rounding where the reference runs. */
	private static void linearOnATransposedView(Kernels kernels, Route... routes) {
		try (NDManager m = NDManager.newBaseManager()) {
			long in = 320, out = 640, rows = 1024;
			RouteChecks.forget();
			Kernels.Product linear = kernels.linear(RouteChecks.random(m, 1, out, in).div(18f), RouteChecks.random(m, 2, out));
			NDArray view = RouteChecks.random(m, 3, 1, in, rows).transpose(0, 2, 1); // [1, rows, in], strides of [1, in, rows]
			Shape outShape = new Shape(1, rows, out);
			NDArray dense = linear.apply(CONTIGUOUS.call(view), outShape), strided = linear.apply(view, outShape);
			if (taken(routes)) assertArrayEquals(dense.toFloatArray(), strided.toFloatArray());
			else assertTrue(RouteChecks.relativeError(strided, dense) < 1e-5, "the reference ran (the routes were slower or wrong)");
		}
	}

	private static boolean taken(Route... routes) {
		java.util.List<Route> r = java.util.List.of(routes);
		return RouteChecks.verdicts().stream().anyMatch(v -> r.contains(v.route()) && v.accepted());
	}

	@Test
	void bfloat16ConvolutionOnAChannelsLastInputEqualsItOnTheContiguousCopy() {
		convolutionOnAChannelsLastInput(Kernels.BFLOAT16, Route.BFLOAT16_CONVOLUTION, Route.BFLOAT16_PACKED_CONVOLUTION);
	}

	@Test
	void packedConvolutionOnAChannelsLastInputEqualsItOnTheContiguousCopy() {
		convolutionOnAChannelsLastInput(Kernels.STANDARD, Route.PACKED_CONVOLUTION);
	}

	private static void convolutionOnAChannelsLastInput(Kernels kernels, Route... routes) {
		try (NDManager m = NDManager.newBaseManager()) {
			for (long outChannels : new long[] { 320, 640 }) {
				Kernels.Product conv = kernels.convolution(RouteChecks.random(m, 4, outChannels, 320, 3, 3).div(54f), RouteChecks.random(m, 5, outChannels), 1, 1);
				NDArray channelsLast = RouteChecks.random(m, 6, 1, 32, 32, 320).transpose(0, 3, 1, 2); // [1, 320, 32, 32], channels-last
				Shape outShape = new Shape(1, outChannels, 32, 32);
				RouteChecks.forget();
				NDArray dense = conv.apply(CONTIGUOUS.call(channelsLast), outShape), strided = conv.apply(channelsLast, outShape);
				if (taken(routes)) assertArrayEquals(dense.toFloatArray(), strided.toFloatArray(), "output channels " + outChannels);
				else assertTrue(RouteChecks.relativeError(strided, dense) < 1e-5, "output channels " + outChannels + ": the reference ran (the routes were slower or wrong)");
			}
		}
	}

	@Test
	void fusedAttentionOnSplitHeadsEqualsItOnContiguousCopies() {
		try (NDManager m = NDManager.newBaseManager()) {
			NDArray q = Attention.splitHeads(RouteChecks.random(m, 7, 1, 1024, 320), 5), k = Attention.splitHeads(RouteChecks.random(m, 8, 1, 1024, 320), 5),
				v = Attention.splitHeads(RouteChecks.random(m, 9, 1, 1024, 320), 5);
			float scale = 0.125f;
			RouteChecks.forget();
			NDArray dense = Attention.scaledDotProduct(CONTIGUOUS.call(q), CONTIGUOUS.call(k), CONTIGUOUS.call(v), scale, null),
				strided = Attention.scaledDotProduct(q, k, v, scale, null);
			if (RouteChecks.verdicts().stream().anyMatch(x -> x.route() == Route.FUSED_ATTENTION && x.accepted())) assertArrayEquals(dense.toFloatArray(), strided.toFloatArray());
			else assertTrue(RouteChecks.relativeError(strided, dense) < 1e-5, "the reference ran (the route was slower or wrong)");
		}
	}
}
