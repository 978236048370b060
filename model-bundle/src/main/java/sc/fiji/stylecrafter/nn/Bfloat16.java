package sc.fiji.stylecrafter.nn;

import static sc.fiji.stylecrafter.nn.ScriptedOp.BFLOAT16;
import static sc.fiji.stylecrafter.nn.ScriptedOp.FLOAT32;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import ai.djl.ndarray.NDArray;

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
	private static final ScriptedOp LINEAR = new ScriptedOp("LinearBfloat16", "x: Tensor, w: Tensor, b: Tensor",
		"torch.linear(x.to(" + BFLOAT16 + "), w, b).to(" + FLOAT32 + ")");
	private static final ScriptedOp LINEAR_NO_BIAS = new ScriptedOp("LinearNoBiasBfloat16", "x: Tensor, w: Tensor",
		"torch.linear(x.to(" + BFLOAT16 + "), w).to(" + FLOAT32 + ")");
	/** One function per stride and padding (TorchScript takes them as constants here). */
	private static final Map<String, ScriptedOp> CONVOLUTIONS = new ConcurrentHashMap<>();

	private Bfloat16() {}

	/** Why bfloat16 products cannot run with this libtorch, or {@code null} if they can. */
	public static String problem() {
		return ScriptedOp.problem(PACK, LINEAR, LINEAR_NO_BIAS, convolution(1, 1));
	}

	/** A bfloat16 copy of a float32 weight, as an opaque handle on the weight's manager; the float32 weight is closed. */
	static NDArray pack(NDArray weight) {
		if (weight == null) return null;
		NDArray packed = PACK.call(weight);
		weight.close();
		return packed;
	}

	/** {@code x W^T + b} with packed {@code w} and {@code b} (or no bias). */
	static NDArray linear(NDArray x, NDArray w, NDArray b) {
		return b == null ? LINEAR_NO_BIAS.call(x, w) : LINEAR.call(x, w, b);
	}

	/** A 2-d convolution with packed weight and bias. */
	static NDArray conv2d(NDArray x, NDArray w, NDArray b, int stride, int padding) {
		return convolution(stride, padding).call(x, w, b);
	}

	private static ScriptedOp convolution(int stride, int padding) {
		return CONVOLUTIONS.computeIfAbsent(stride + "_" + padding, key -> new ScriptedOp("Conv2dBfloat16S" + stride + "P" + padding,
			"x: Tensor, w: Tensor, b: Tensor", "torch.conv2d(x.to(" + BFLOAT16 + "), w, b, [" + stride + ", " + stride + "], [" + padding + ", " + padding + "]).to("
				+ FLOAT32 + ")"));
	}
}
