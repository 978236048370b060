package sc.fiji.stylecrafter.nn;

import java.util.Arrays;
import java.util.Collections;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import sc.fiji.stylecrafter.io.StoredTensor;
import sc.fiji.stylecrafter.io.TensorLoader;

/**
 * A scoped view of named weights from which a block takes its parameters: {@code weights.sub("transformer")} then
 * {@code get("ln_1.weight", width)}. Every tensor is loaded onto the model's manager in the model's dtype and its shape
 * checked against what the block's config expects; the keys that were taken are recorded, so that the loader can list
 * what was left unused. Blocks never build full key strings themselves.
 */
public final class Weights {

	private final Root root;
	private final String prefix;

	/**
	 * @param tensors the stored tensors, or {@code null} for {@link #zeros} and {@link #random}
	 * @param spread the standard deviation of {@link #random} weights; 0 for stored weights and zeros
	 */
	private record Root(SortedMap<String, StoredTensor> tensors, NDManager manager, DataType dtype, String source, Set<String> used, Kernels kernels,
		float spread) {}

	private Weights(Root root, String prefix) {
		this.root = root;
		this.prefix = prefix;
	}

	/**
	 * @param tensors the flat key view, keys relative to the network (see {@code CheckpointKeyMap})
	 * @param manager the model-level manager that will own every weight
	 * @param dtype the compute dtype of floating-point weights
	 * @param source a description of where the keys come from, for error messages
	 */
	public static Weights of(SortedMap<String, StoredTensor> tensors, NDManager manager, DataType dtype, String source) {
		return of(tensors, manager, dtype, Kernels.STANDARD, source);
	}

	/** As {@link #of}, for a network whose linear layers and convolutions compute with {@code kernels}. */
	public static Weights of(SortedMap<String, StoredTensor> tensors, NDManager manager, DataType dtype, Kernels kernels, String source) {
		return new Weights(new Root(tensors, manager, dtype, source, ConcurrentHashMap.newKeySet(), kernels, 0), "");
	}

	/**
	 * Zeros of whatever shape each block asks for, without memory of their own (views of one zero): a network of a
	 * config's sizes whose values do not matter, for listing the shapes its layers compute at without the weight files
	 * ({@code RouteChecks.trace}). Sizes that a block reads from the stored weights come from the official sizes it names
	 * ({@link #shape(String, long...)}).
	 */
	public static Weights zeros(NDManager manager, DataType dtype, Kernels kernels) {
		return new Weights(new Root(null, manager, dtype, "zero weights", ConcurrentHashMap.newKeySet(), kernels, 0), "");
	}

	/**
	 * Random weights of whatever shape each block asks for, as {@link #zeros} does for zeros: uniform values of standard
	 * deviation {@code spread}, drawn by libtorch's generator seeded from each key's name (the same values for the same
	 * key in every precision and process). A network of a config's sizes without its weight files, for precision tests
	 * and benchmarks at the full model's shapes; it re-seeds libtorch's generator, so never build one during a seeded
	 * generation.
	 */
	public static Weights random(NDManager manager, DataType dtype, Kernels kernels, float spread) {
		if (!(spread > 0)) throw new IllegalArgumentException("random weights need a spread above 0, not " + spread);
		return new Weights(new Root(null, manager, dtype, "random weights", ConcurrentHashMap.newKeySet(), kernels, spread), "");
	}

	/** How the linear layers and convolutions built from these weights compute their products. */
	public Kernels kernels() {
		return root.kernels;
	}

	/** The view under {@code name} ({@code sub("a").sub("b")} is {@code sub("a.b")}). */
	public Weights sub(String name) {
		return new Weights(root, prefix + name + ".");
	}

	public Weights sub(int index) {
		return sub(Integer.toString(index));
	}

	public NDManager manager() {
		return root.manager;
	}

	public DataType dtype() {
		return root.dtype;
	}

	/**
	 * The shape of a weight, without loading it: the stored one, or for {@link #zeros} weights {@code official}, the
	 * shape of the official model's weight (for a size the config does not carry).
	 */
	public long[] shape(String name, long... official) {
		return root.tensors == null ? official : stored(name, null).shape();
	}

	/**
	 * Loads a weight and checks its shape.
	 *
	 * @param expected the expected dimensions; none to skip the check (the caller then checks what it derives)
	 * @throws WeightException naming the full key when it is missing or has another shape
	 */
	public NDArray get(String name, long... expected) {
		if (root.tensors == null) {
			if (expected.length == 0) throw new WeightException(root.source + ": '" + prefix + name + "' is asked for without a shape");
			root.used.add(prefix + name);
			if (root.spread == 0) return RouteChecks.zeroView(root.manager, root.dtype, new Shape(expected));
			root.manager.getEngine().setRandomSeed((int) RouteChecks.seed(prefix + name));
			float half = root.spread * (float) Math.sqrt(3);
			NDArray a = root.manager.randomUniform(-half, half, new Shape(expected));
			NDArray typed = a.toType(root.dtype, false);
			if (typed != a) a.close();
			typed.setName(prefix + name);
			return typed;
		}
		StoredTensor t = stored(name, expected);
		if (expected.length > 0 && !Arrays.equals(t.shape(), expected)) {
			throw new WeightException(root.source + ": weight '" + prefix + name + "' has shape " + Arrays.toString(t.shape())
				+ " but the configured network expects " + Arrays.toString(expected) + " (wrong file, or config.json does not match the weights)");
		}
		root.used.add(prefix + name);
		DataType target = t.dtype().isFloating() ? root.dtype : null;
		NDArray a = TensorLoader.load(t, root.manager, target);
		a.setName(prefix + name);
		return a;
	}

	private StoredTensor stored(String name, long[] expected) {
		StoredTensor t = root.tensors.get(prefix + name);
		if (t == null) {
			throw new WeightException(root.source + ": missing weight '" + prefix + name + "'"
				+ (expected != null && expected.length > 0 ? " (expected shape " + Arrays.toString(expected) + ")" : ""));
		}
		return t;
	}

	/** Keys of the whole view that no block has taken, sorted. */
	public Set<String> unusedKeys() {
		if (root.tensors == null) return Set.of();
		Set<String> out = new TreeSet<>(root.tensors.keySet());
		out.removeAll(root.used);
		return Collections.unmodifiableSet(out);
	}
}
