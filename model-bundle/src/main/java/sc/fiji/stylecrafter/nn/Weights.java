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

	private record Root(SortedMap<String, StoredTensor> tensors, NDManager manager, DataType dtype, String source, Set<String> used, boolean bfloat16Products) {}

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
		return new Weights(new Root(tensors, manager, dtype, source, ConcurrentHashMap.newKeySet(), false), "");
	}

	/**
	 * As {@link #of}, in float32, for a network whose convolutions, linear layers and attention compute in bfloat16
	 * ({@link Bfloat16}): those layers keep their weights as bfloat16 only.
	 */
	public static Weights ofBfloat16Products(SortedMap<String, StoredTensor> tensors, NDManager manager, String source) {
		return new Weights(new Root(tensors, manager, DataType.FLOAT32, source, ConcurrentHashMap.newKeySet(), true), "");
	}

	/** Whether the layers built from these weights compute their products in bfloat16. */
	public boolean bfloat16Products() {
		return root.bfloat16Products;
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

	public boolean has(String name) {
		return root.tensors.containsKey(prefix + name);
	}

	/** The shape of a weight, without loading it. */
	public long[] shape(String name) {
		return stored(name, null).shape();
	}

	/**
	 * Loads a weight and checks its shape.
	 *
	 * @param expected the expected dimensions; none to skip the check (the caller then checks what it derives)
	 * @throws WeightException naming the full key when it is missing or has another shape
	 */
	public NDArray get(String name, long... expected) {
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
		Set<String> out = new TreeSet<>(root.tensors.keySet());
		out.removeAll(root.used);
		return Collections.unmodifiableSet(out);
	}
}
