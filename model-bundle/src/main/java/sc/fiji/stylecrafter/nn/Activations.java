package sc.fiji.stylecrafter.nn;

import ai.djl.ndarray.NDArray;

/**
 * Parameter-free activations, as PyTorch computes them. While a pass is traced ({@link RouteChecks#trace}) they return
 * their input: the traced layers answer zeros, which every activation here maps to zeros, and the trace then costs no
 * full-size elementwise work.
 */
public final class Activations {

	private Activations() {}

	/** {@code torch.nn.SiLU}: {@code x * sigmoid(x)}. */
	public static NDArray silu(NDArray x) {
		return RouteChecks.tracing() ? x : x.mul(ai.djl.nn.Activation.sigmoid(x));
	}

	/** {@code torch.nn.GELU} (the exact, erf form). */
	public static NDArray gelu(NDArray x) {
		return RouteChecks.tracing() ? x : ai.djl.nn.Activation.gelu(x);
	}
}
