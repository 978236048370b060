package sc.fiji.stylecrafter.nn;

import java.util.function.UnaryOperator;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Runs a piece of a forward pass in its own sub-manager, so that its intermediates are freed as soon as it returns:
 * DJL keeps every array until its manager closes, and a UNet call would otherwise hold all of them at once.
 */
public final class Scopes {

	private Scopes() {}

	/**
	 * Applies {@code f} to {@code x} with {@code x} temporarily attached to a new sub-manager of its manager; the
	 * result is moved to {@code x}'s manager, everything else {@code f} allocated on the way is closed.
	 */
	public static NDArray run(NDArray x, UnaryOperator<NDArray> f) {
		NDManager parent = x.getManager();
		try (NDManager sub = parent.newSubManager()) {
			x.tempAttach(sub);
			NDArray y = f.apply(x);
			y.attach(parent);
			return y;
		}
	}
}
