package sc.fiji.stylecrafter.nn;

import ai.djl.ndarray.NDArray;

/** Parameter-free activations, as PyTorch computes them. */
public final class Activations {

	private Activations() {}

	/** {@code torch.nn.SiLU}: {@code x * sigmoid(x)}. */
	public static NDArray silu(NDArray x) {
		return x.mul(ai.djl.nn.Activation.sigmoid(x));
	}
}
