package sc.fiji.stylecrafter.nn;

import java.util.ArrayList;
import java.util.List;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;

/**
 * The memory idiom of every forward pass: DJL's {@link NDScope} (every array created while it is open is closed when
 * it closes, whatever its manager), plus the result that outlives it. DJL keeps an array until its manager closes,
 * so without scopes a UNet call would hold all its intermediates at once, and the keys and values derived from a
 * context would pile up on the context's manager.
 *
 * <pre>
 * NDArray forward(NDArray x) {
 *     try (Scope scope = new Scope()) {
 *         NDArray h = ...;              // intermediates: closed when the scope closes
 *         return scope.keep(x.add(h));  // the result: handed to the enclosing scope
 *     }
 * }
 * </pre>
 *
 * (An {@link NDScope} registers a new array in the innermost scope only and {@link NDScope#unregister} removes it from
 * there only; {@link #keep} therefore registers the result again in the enclosing scope once this one has closed, so
 * that it is not lost to the scopes around it.)
 */
public final class Scope implements AutoCloseable {

	private final NDScope scope = new NDScope();
	private final List<NDArray> kept = new ArrayList<>(1);

	/**
	 * Keeps {@code result} past this scope. A forward pass keeps its one output; a few results made together (the
	 * keys and values of a prepared context) may each be kept.
	 */
	public NDArray keep(NDArray result) {
		NDScope.unregister(result);
		kept.add(result);
		return result;
	}

	@Override
	public void close() {
		scope.close();
		for (NDArray a : kept) NDScope.register(a);
	}

	/**
	 * {@code next}, after closing {@code previous}: for a chain {@code h = replace(h, f(h))} whose input is dead once the
	 * link has run. Closing a view only drops the handle; storage that {@code next} still shares lives on.
	 */
	public static NDArray replace(NDArray previous, NDArray next) {
		if (previous != next) previous.close();
		return next;
	}
}
