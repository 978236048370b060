package sc.fiji.stylecrafter.nn;

import static sc.fiji.stylecrafter.nn.ScriptedOp.BFLOAT16;
import static sc.fiji.stylecrafter.nn.ScriptedOp.FLOAT32;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * bfloat16 convolutions and linear layers on the CPU without a bfloat16 tensor ever crossing DJL's JNI (whose dtype switch aborts the
 * process on bfloat16): every function here is a {@link ScriptedOp} that takes and returns float32 activations and
 * converts inside libtorch. Weights are packed once into bfloat16 tensors that Java holds only as handles: no DJL
 * operator is ever called on them, they only go back into these functions. On CPUs with AVX-512 BF16 or AMX, oneDNN
 * runs the products at up to twice the float32 rate; rounding to bfloat16 (8 significant bits) costs a relative error
 * of about 3e-3 per product, so this is an opt-in precision, never the reference. Attention stays float32 (libtorch's
 * fused kernel): measured in bfloat16 it was no faster on an AMD Zen 4.
 */
public final class Bfloat16 {

	private static final ScriptedOp PACK = new ScriptedOp("PackBfloat16", "x: Tensor", "x.to(" + BFLOAT16 + ")");
	/** A packed tensor back to float32 (exact: every bfloat16 value is a float32 value). */
	private static final ScriptedOp UNPACK = new ScriptedOp("UnpackBfloat16", "x: Tensor", "x.to(" + FLOAT32 + ")");
	private static final ScriptedOp LINEAR = new ScriptedOp("LinearBfloat16", "x: Tensor, w: Tensor, b: Tensor",
		"torch.linear(" + ScriptedOp.dense("x", BFLOAT16) + ", w, b).to(" + FLOAT32 + ")");
	private static final ScriptedOp LINEAR_NO_BIAS = new ScriptedOp("LinearNoBiasBfloat16", "x: Tensor, w: Tensor",
		"torch.linear(" + ScriptedOp.dense("x", BFLOAT16) + ", w).to(" + FLOAT32 + ")");
	/** One function per stride and padding (TorchScript takes them as constants here). */
	private static final Map<String, ScriptedOp> CONVOLUTIONS = new ConcurrentHashMap<>();

	private Bfloat16() {}

	/** The TorchScript of the bfloat16 routes (the convolution at stride 1, padding 1), for {@link RouteVerdictCache}. */
	static String code() {
		return String.join("\n", PACK.source(), UNPACK.source(), LINEAR.source(), LINEAR_NO_BIAS.source(), convolution(1, 1).source());
	}

	/** Why bfloat16 products cannot run with this libtorch, or {@code null} if they can. */
	public static String problem() {
		return ScriptedOp.problem(PACK, UNPACK, LINEAR, LINEAR_NO_BIAS, convolution(1, 1));
	}

	/** A bfloat16 copy of a float32 weight, as an opaque handle on the weight's manager; the float32 weight is closed. */
	static NDArray pack(NDArray weight) {
		if (weight == null) return null;
		NDArray packed = PACK.call(weight);
		weight.close();
		return packed;
	}

	/**
	 * A packed tensor as float32, on its manager (the model's, for weights), outside any scope that is open: for the
	 * layers whose bfloat16 route was rejected, which then compute in float32 with the bfloat16-rounded weights.
	 */
	static NDArray unpack(NDArray packed) {
		if (packed == null) return null;
		NDArray f = UNPACK.call(packed);
		ai.djl.ndarray.NDScope.unregister(f); // made in the innermost scope, which would close it with the step
		return f;
	}

	/**
	 * A bfloat16 layer's weight and bias as float32, converted from the packed ones at the first call that needs them
	 * (a shape where the layer's bfloat16 route was rejected), then kept with the model's weights.
	 */
	static final class Unpacked {

		private final PackedWeights.Holder weight;
		private final NDArray bias;
		private volatile NDArray[] float32;

		/** @param packedWeight the bfloat16 weight, asked for only when the float32 copy is made */
		Unpacked(PackedWeights.Holder packedWeight, NDArray packedBias) {
			this.weight = packedWeight;
			this.bias = packedBias;
		}

		/** {@code [weight, bias]} as float32 (the bias {@code null} where the layer has none); {@code like}: the call's input. */
		NDArray[] get(NDArray like) {
			NDArray[] f = float32;
			if (f != null) return f;
			synchronized (this) {
				if (float32 == null) {
					NDArray w = unpack(weight.plain(like));
					w.attach(weight.manager()); // kept with the model's weights, whatever manager the bfloat16 copy was on
					float32 = new NDArray[] { w, unpack(bias) };
				}
				return float32;
			}
		}
	}

	/** {@code x W^T + b} with packed {@code w} and {@code b} (or no bias). */
	static NDArray linear(NDArray x, NDArray w, NDArray b) {
		return RouteChecks.output(Route.BFLOAT16_LINEAR, b == null ? LINEAR_NO_BIAS.call(x, w) : LINEAR.call(x, w, b));
	}

	/** A 2-d convolution with packed weight and bias. */
	static NDArray conv2d(NDArray x, NDArray w, NDArray b, int stride, int padding) {
		return RouteChecks.output(Route.BFLOAT16_CONVOLUTION, convolution(stride, padding).call(x, w, b));
	}

	/**
	 * A check's inputs: {@code x} rounded to bfloat16 (as float32), weight and bias packed to bfloat16, drawn from the
	 * shape's seed (the same for the plain and the packed candidate).
	 */
	private record Inputs(NDArray x, NDArray w, NDArray b) {

		static Inputs linear(NDManager m, long rows, long in, long out, boolean hasBias) {
			return of(RouteChecks.LayerInputs.draw(m, RouteChecks.seed("bfloat16 linear " + rows + " " + in + " " + out + " " + hasBias), new Shape(rows, in),
				new Shape(out, in), hasBias));
		}

		static Inputs convolution(NDManager m, Shape input, Shape weight, int stride, int padding) {
			return of(RouteChecks.LayerInputs.draw(m, RouteChecks.seed("bfloat16 convolution " + input + " " + weight + " " + stride + " " + padding), input, weight, true));
		}

		/** The float32 draw with {@code x} rounded and the weight and bias packed to bfloat16. */
		private static Inputs of(RouteChecks.LayerInputs f) {
			return new Inputs(rounded(f.x()), PACK.call(f.w()), f.b() == null ? null : PACK.call(f.b()));
		}

		/** The reference: float32 linear layer on the same rounded values. */
		NDArray linearReference() {
			return Linear.plain(x, UNPACK.call(w), b == null ? null : UNPACK.call(b));
		}

		/** The reference: float32 convolution on the same rounded values. */
		NDArray convolutionReference(int stride, int padding) {
			return Conv2d.plain(x, UNPACK.call(w), UNPACK.call(b), stride, padding);
		}
	}

	/**
	 * The bfloat16 linear layer against float32 on the same bfloat16-rounded input, weight and bias, at one shape, on
	 * random inputs: only the output's rounding and the order of the sums differ.
	 */
	static RouteChecks.Comparison checkLinear(NDManager m, long rows, long in, long out, boolean hasBias) {
		Inputs i = Inputs.linear(m, rows, in, out, hasBias);
		return RouteChecks.compare(() -> linear(i.x(), i.w(), i.b()), i::linearReference);
	}

	/** The bfloat16 convolution against float32 on the same bfloat16-rounded values, at one shape, on random inputs. */
	static RouteChecks.Comparison checkConvolution(NDManager m, Shape input, Shape weight, int stride, int padding) {
		Inputs i = Inputs.convolution(m, input, weight, stride, padding);
		return RouteChecks.compare(() -> conv2d(i.x(), i.w(), i.b(), stride, padding), () -> i.convolutionReference(stride, padding));
	}

	/** The packed bfloat16 linear layer ({@link PackedWeights#BFLOAT16}), checked as {@link #checkLinear} checks the plain one. */
	static RouteChecks.Comparison checkPackedLinear(NDManager m, long rows, long in, long out, boolean hasBias) {
		Inputs i = Inputs.linear(m, rows, in, out, hasBias);
		NDArray packed = PackedWeights.BFLOAT16.packLinear(i.w());
		return RouteChecks.compare(() -> PackedWeights.BFLOAT16.linear(i.x(), packed, i.b()), i::linearReference);
	}

	/** The packed bfloat16 convolution, checked as {@link #checkConvolution} checks the plain one. */
	static RouteChecks.Comparison checkPackedConvolution(NDManager m, Shape input, Shape weight, int stride, int padding) {
		Inputs i = Inputs.convolution(m, input, weight, stride, padding);
		NDArray packed = PackedWeights.BFLOAT16.packConvolution(i.w(), stride, padding);
		return RouteChecks.compare(() -> PackedWeights.BFLOAT16.convolution(i.x(), packed, i.b(), stride, padding), () -> i.convolutionReference(stride, padding));
	}

	/** {@code x} rounded to bfloat16, as float32. */
	private static NDArray rounded(NDArray x) {
		return UNPACK.call(PACK.call(x));
	}

	private static ScriptedOp convolution(int stride, int padding) {
		return CONVOLUTIONS.computeIfAbsent(stride + "_" + padding, key -> new ScriptedOp("Conv2dBfloat16S" + stride + "P" + padding,
			"x: Tensor, w: Tensor, b: Tensor", "torch.conv2d(" + ScriptedOp.dense("x", BFLOAT16) + ", w, b, [" + stride + ", " + stride + "], [" + padding + ", " + padding + "]).to("
				+ FLOAT32 + ")"));
	}
}
