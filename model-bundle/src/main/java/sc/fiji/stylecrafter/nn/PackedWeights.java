package sc.fiji.stylecrafter.nn;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;

/**
 * oneDNN's products with a layer's weight reordered once into oneDNN's own blocked layout ({@link Route#PACKED_LINEAR},
 * {@link Route#PACKED_CONVOLUTION}): the operators inductor uses on the CPU ({@code mkldnn::_linear_pointwise},
 * {@code mkldnn::_convolution_pointwise} over {@code mkldnn::_reorder_linear_weight} /
 * {@code _reorder_convolution_weight}). libtorch's plain operators reorder the weight at every call; at the UNet's
 * sizes on an AMD Zen 5 (2 threads) the packed products ran at 220-440 GFLOP/s against the plain ones' 80-290.
 *
 * <p>A layer holds one {@link Holder}: the plain weight until the route is taken, then the packed one only (the plain
 * copy is closed, so the weights are not held twice); a later shape that needs the reference gets the plain weight
 * converted back for that call. Weights are packed without a hint of the input's size (oneDNN's generic blocked layout), so one
 * packed weight serves every size: measured as fast as the size-hinted packing at the UNet's shapes on a Zen 5.
 */
final class PackedWeights {

	private PackedWeights() {}

	/** A packed weight back to the plain layout, in its type (first: the products' checks for libtorch compile it). */
	private static final ScriptedOp UNPACK = new ScriptedOp("UnpackWeight", "w: Tensor", "w.to_dense()");

	/** The products in float32 ({@link Route#PACKED_LINEAR}, {@link Route#PACKED_CONVOLUTION}). */
	static final Ops FLOAT32 = new Ops(ScriptedOp.FLOAT32, "", Route.PACKED_LINEAR, Route.PACKED_CONVOLUTION);
	/**
	 * The products in bfloat16 on float32 activations, converted inside libtorch ({@link Route#BFLOAT16_PACKED_LINEAR},
	 * {@link Route#BFLOAT16_PACKED_CONVOLUTION}); the weights are bfloat16 ({@link Bfloat16#pack}) before they are reordered.
	 */
	static final Ops BFLOAT16 = new Ops(ScriptedOp.BFLOAT16, "Bfloat16", Route.BFLOAT16_PACKED_LINEAR, Route.BFLOAT16_PACKED_CONVOLUTION);

	/** The packed products for weights and products of one type; activations in and out are float32. */
	static final class Ops {

		private final int type;
		private final String name;
		private final Route linearRoute;
		private final Route convolutionRoute;
		private final ScriptedOp packLinear;
		private final ScriptedOp linear;
		private final ScriptedOp linearNoBias;
		private final Map<String, ScriptedOp> convolutions = new ConcurrentHashMap<>();
		/** Why these products cannot run here (a libtorch without the operators), or {@code null}. */
		final String problem;

		private Ops(int type, String name, Route linearRoute, Route convolutionRoute) {
			this.type = type;
			this.name = name;
			this.linearRoute = linearRoute;
			this.convolutionRoute = convolutionRoute;
			packLinear = new ScriptedOp("PackLinearWeight" + name, "w: Tensor", "ops.mkldnn._reorder_linear_weight(" + ScriptedOp.dense("w", type) + ")");
			linear = new ScriptedOp("PackedLinear" + name, "x: Tensor, w: Tensor, b: Tensor", product("_linear_pointwise", "w, b, 'none', [], ''"));
			linearNoBias = new ScriptedOp("PackedLinearNoBias" + name, "x: Tensor, w: Tensor", product("_linear_pointwise", "w, None, 'none', [], ''"));
			problem = linearRoute.on() || convolutionRoute.on()
				? ScriptedOp.problem(packLinear, linear, linearNoBias, UNPACK, packConvolution(1, 1), convolution(1, 1, true), convolution(1, 1, false))
				: linearRoute.whyOff();
		}

		/** {@code op(x in this type, args)} back to float32, contiguous. */
		private String product(String op, String args) {
			return ScriptedOp.dense("ops.mkldnn." + op + "(" + ScriptedOp.dense("x", type) + ", " + args + ")", ScriptedOp.FLOAT32);
		}

		/** The TorchScript of these products (convolutions at stride 1, padding 1), for {@link RouteVerdictCache}. */
		String code() {
			return String.join("\n", UNPACK.source(), packLinear.source(), linear.source(), linearNoBias.source(), packConvolution(1, 1).source(),
				convolution(1, 1, true).source(), convolution(1, 1, false).source());
		}

		/** {@code w [out, in]} packed for any number of rows. */
		NDArray packLinear(NDArray w) {
			return packLinear.call(w);
		}

		/** {@code x [rows, in] W^T + b} with the packed weight; {@code b} in this type, or {@code null}. */
		NDArray linear(NDArray x, NDArray packed, NDArray b) {
			return RouteChecks.output(linearRoute, b == null ? linearNoBias.call(x, packed) : linear.call(x, packed, b));
		}

		/** {@code w [out, in, k, k]} packed for inputs of any size. */
		NDArray packConvolution(NDArray w, int stride, int padding) {
			return packConvolution(stride, padding).call(w);
		}

		/** The 2-d convolution with the packed weight; {@code b} in this type, or {@code null}. */
		NDArray convolution(NDArray x, NDArray packed, NDArray b, int stride, int padding) {
			NDArray y = b == null ? convolution(stride, padding, false).call(x, packed) : convolution(stride, padding, true).call(x, packed, b);
			return RouteChecks.output(convolutionRoute, y);
		}

		private ScriptedOp packConvolution(int stride, int padding) {
			return convolutions.computeIfAbsent("pack " + stride + "_" + padding, key -> new ScriptedOp("PackConvolutionWeight" + name + "S" + stride + "P" + padding,
				"w: Tensor", "ops.mkldnn._reorder_convolution_weight(" + ScriptedOp.dense("w", type) + ", " + pair(padding) + ", " + pair(stride) + ", [1, 1], 1, None)"));
		}

		private ScriptedOp convolution(int stride, int padding, boolean bias) {
			return convolutions.computeIfAbsent(stride + "_" + padding + "_" + bias, key -> new ScriptedOp(
				"PackedConvolution" + name + "S" + stride + "P" + padding + (bias ? "" : "NoBias"), bias ? "x: Tensor, w: Tensor, b: Tensor" : "x: Tensor, w: Tensor",
				product("_convolution_pointwise", "w, " + (bias ? "b" : "None") + ", " + pair(padding) + ", " + pair(stride) + ", [1, 1], 1, 'none', [], ''")));
		}
	}

	/**
	 * A layer's weight: plain until the route is first taken, then packed only (the plain copy closed). Where a later
	 * shape of the layer needs the reference, the plain weight is converted back from the packed one for that call only,
	 * on the activations' manager: the model then never holds a layer's weight twice, and a run leaves nothing behind.
	 */
	static final class Holder {

		private NDArray plain;
		private NDArray packed;

		Holder(NDArray plain) {
			this.plain = plain;
		}

		/**
		 * The plain weight: the layer's own while it was never packed, else a copy converted back from the packed one,
		 * on {@code like}'s manager (freed with the call's scope or that manager).
		 */
		synchronized NDArray plain(NDArray like) {
			if (plain != null) return plain;
			NDArray p = UNPACK.call(packed);
			p.attach(like.getManager());
			return p;
		}

		/** The manager the layer's weight lives on (the model's). */
		synchronized ai.djl.ndarray.NDManager manager() {
			return (plain != null ? plain : packed).getManager();
		}

		/** The packed weight, packed by {@code pack} at the first call; the plain copy is closed then. */
		synchronized NDArray packed(java.util.function.UnaryOperator<NDArray> pack) {
			if (packed == null) {
				packed = pack.apply(plain);
				NDScope.unregister(packed); // made in the run's scope, it belongs to the layer, on the weight's manager
				plain.close();
				plain = null;
			}
			return packed;
		}
	}

	/** The packed linear layer against libtorch's, at one shape, on random inputs (the weight packed outside the timing). */
	static RouteChecks.Comparison checkLinear(NDManager m, long rows, long in, long out, boolean hasBias) {
		RouteChecks.LayerInputs i = RouteChecks.LayerInputs.draw(m, RouteChecks.seed("packed " + Linear.shape(rows, in, out, hasBias, "float32")),
			new Shape(rows, in), new Shape(out, in), hasBias);
		NDArray packed = FLOAT32.packLinear(i.w());
		return RouteChecks.compare(() -> FLOAT32.linear(i.x(), packed, i.b()), () -> Linear.plain(i.x(), i.w(), i.b()));
	}

	/** The packed convolution against libtorch's, at one shape, on random inputs (the weight packed outside the timing). */
	static RouteChecks.Comparison checkConvolution(NDManager m, Shape input, Shape weight, boolean hasBias, int stride, int padding) {
		RouteChecks.LayerInputs i = RouteChecks.LayerInputs.draw(m,
			RouteChecks.seed("packed convolution " + input + " " + weight + " " + hasBias + " " + stride + " " + padding), input, weight, hasBias);
		NDArray packed = FLOAT32.packConvolution(i.w(), stride, padding);
		return RouteChecks.compare(() -> FLOAT32.convolution(i.x(), packed, i.b(), stride, padding), () -> Conv2d.plain(i.x(), i.w(), i.b(), stride, padding));
	}

	private static String pair(int v) {
		return Arrays.toString(new int[] { v, v });
	}
}
