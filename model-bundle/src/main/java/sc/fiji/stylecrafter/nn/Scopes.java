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
	 *
	 * <p>An operation's result lands on the manager of its first operand. Arrays that {@code f} reads besides
	 * {@code x} (a context, an embedding) must therefore be given as {@code shared}: they are attached to the sub-manager
	 * too while {@code f} runs, so that what {@code f} derives from them (per-layer keys and values, say) is freed with
	 * the rest instead of piling up on their own manager. Each goes back to its manager afterwards.
	 */
	public static NDArray run(NDArray x, UnaryOperator<NDArray> f, NDArray... shared) {
		NDManager parent = x.getManager();
		try (NDManager sub = parent.newSubManager()) {
			x.tempAttach(sub);
			for (NDArray a : shared) {
				if (a != null && a != x && a.getManager() != sub) a.tempAttach(sub);
			}
			NDArray y = f.apply(x);
			y.attach(parent);
			return y;
		}
	}

	/**
	 * As {@link #run}, for the links of a chain whose input is dead once the link has run ({@code h = chain(h, f)}):
	 * {@code x} is closed as soon as {@code f} has returned (unless {@code f} returned it), instead of staying on its
	 * manager until the whole pass ends. Closing a view only drops the handle; storage a result still shares lives on.
	 */
	public static NDArray chain(NDArray x, UnaryOperator<NDArray> f, NDArray... shared) {
		NDArray y = run(x, f, shared);
		if (y != x) x.close();
		return y;
	}
}
