package sc.fiji.stylecrafter.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import sc.fiji.stylecrafter.io.PickleObjects.Opaque;
import sc.fiji.stylecrafter.io.PickleObjects.PyGlobal;
import sc.fiji.stylecrafter.io.PickleObjects.PyTuple;

/**
 * A checkpoint in the zip format of {@code torch.save} (PyTorch 1.6 and later): {@code <archive>/data.pkl} holds the
 * pickled object tree and {@code <archive>/data/<key>} the raw storages, stored uncompressed and memory-mapped here.
 * This is the format of {@code model.ckpt}, {@code adapter_v1.pth}, {@code temporal_v1_1.pth} and
 * {@code open_clip_pytorch_model.bin}.
 *
 * <p>The pickle is read as data: only the globals a state dict needs are resolved ({@link TorchPickleHandler}).
 */
public final class TorchCheckpoint implements Checkpoint {

	/** Largest pickle read: the official files' largest ({@code model.ckpt}) has 0.3 MB. */
	static final long MAX_PICKLE_BYTES = 64L << 20;
	/** Deflate cannot expand data more than about 1032 times. */
	private static final long MAX_DEFLATE_RATIO = 1032;

	private final MappedFile file;
	private final SortedMap<String, StoredTensor> tensors;

	private TorchCheckpoint(MappedFile file, SortedMap<String, StoredTensor> tensors) {
		this.file = file;
		this.tensors = tensors;
	}

	/**
	 * Opens a {@code torch.save} zip file and reads its pickle; tensors under {@code prefix} (all when empty) are
	 * listed, and unknown objects outside them are tolerated as inert placeholders.
	 */
	public static TorchCheckpoint open(Path path, String prefix) throws IOException {
		MappedFile file = new MappedFile(path);
		try {
			String what = path.toString();
			Map<String, ZipDirectory.Entry> entries = ZipDirectory.read(file.channel(), what);
			ZipDirectory.Entry pkl = null;
			for (ZipDirectory.Entry e : entries.values()) {
				if (e.name().endsWith("/data.pkl") && e.name().indexOf('/') == e.name().length() - 9) pkl = e;
			}
			if (pkl == null) throw new CheckpointFormatException(what + " is a zip file but not a torch.save checkpoint (no <archive>/data.pkl)");
			String archive = pkl.name().substring(0, pkl.name().length() - "data.pkl".length());
			ZipDirectory.Entry order = entries.get(archive + "byteorder");
			if (order != null) {
				String bo = new String(readEntry(file, order, what).array(), StandardCharsets.US_ASCII).trim();
				if (!bo.equals("little")) throw new CheckpointFormatException(what + " was saved with byte order '" + bo + "'; only little-endian checkpoints are supported");
			}
			TorchPickleHandler handler = new TorchPickleHandler(file, entries, archive, what);
			ByteBuffer pickle = readEntry(file, pkl, what);
			Object root = new Unpickler(pickle, handler, what + " (data.pkl)").load();
			SortedMap<String, StoredTensor> flat = new TreeMap<>();
			flatten(root, prefix == null ? "" : prefix, flat, pickle.capacity() + 1024L, what);
			return new TorchCheckpoint(file, Collections.unmodifiableSortedMap(flat));
		}
		catch (IOException | RuntimeException e) {
			file.close();
			throw e;
		}
	}

	/**
	 * Reads a small entry (the pickle, the byte order) whole, inflating it if needed, and checks its CRC-32. Its declared
	 * size is checked against the limit and against what its compressed bytes can hold before anything is allocated.
	 */
	private static ByteBuffer readEntry(MappedFile file, ZipDirectory.Entry e, String what) throws IOException {
		if (e.size() > MAX_PICKLE_BYTES) {
			throw new CheckpointFormatException(what + ": entry '" + e.name() + "' declares " + e.size() + " bytes; metadata entries may have at most "
				+ MAX_PICKLE_BYTES + " (the official files' largest has 0.3 MB)");
		}
		if (!e.stored() && e.method() != 8) {
			throw new CheckpointFormatException(what + ": entry '" + e.name() + "' uses zip compression method " + e.method() + "; only stored and deflated are supported");
		}
		if (!e.stored() && e.size() > e.compressedSize() * MAX_DEFLATE_RATIO + 1024) {
			throw new CheckpointFormatException(what + ": entry '" + e.name() + "' declares " + e.size() + " bytes from " + e.compressedSize()
				+ " compressed ones, more than deflate can produce; the file is corrupt");
		}
		ByteBuffer raw = ZipDirectory.readAt(file.channel(), e.dataOffset(), (int) e.compressedSize());
		ByteBuffer out = e.stored() ? raw : inflate(raw, e, what);
		ZipDirectory.checkCrc(e, out.duplicate(), what);
		return out;
	}

	private static ByteBuffer inflate(ByteBuffer raw, ZipDirectory.Entry e, String what) throws CheckpointFormatException {
		Inflater inf = new Inflater(true);
		try {
			inf.setInput(raw);
			byte[] out = new byte[(int) e.size()];
			int n = 0;
			while (n < out.length && !inf.finished()) {
				int r = inf.inflate(out, n, out.length - n);
				if (r == 0 && (inf.needsInput() || inf.needsDictionary())) break;
				n += r;
			}
			if (n != out.length) throw new CheckpointFormatException(what + ": entry '" + e.name() + "' inflates to " + n + " bytes, not the declared " + out.length);
			return ByteBuffer.wrap(out).order(java.nio.ByteOrder.LITTLE_ENDIAN);
		}
		catch (DataFormatException ex) {
			throw new CheckpointFormatException(what + ": entry '" + e.name() + "' is corrupt: " + ex.getMessage(), ex);
		}
		finally {
			inf.end();
		}
	}

	/**
	 * Flattens containers into dotted keys, without recursion (nesting is the file's to choose): subtrees that cannot
	 * lead to {@code prefix} are not visited; an unresolved object on the way to a requested tensor is an error naming
	 * its global. Shared references (the memo) can make a small pickle a huge tree, so the walk may visit at most
	 * {@code budget} nodes, nest at most {@link #MAX_DEPTH} deep and build keys of at most {@link #MAX_KEY_CHARS}.
	 */
	static void flatten(Object root, String prefix, SortedMap<String, StoredTensor> out, long budget, String what) throws CheckpointFormatException {
		Set<Object> visiting = Collections.newSetFromMap(new IdentityHashMap<>());
		Deque<Frame> frames = new ArrayDeque<>();
		long visits = 0;
		Object node = root;
		String key = "";
		while (true) {
			if (node != NONE && (prefix.isEmpty() || key.isEmpty() || isOnPath(key, prefix))) {
				if (++visits > budget) {
					throw new CheckpointFormatException(what + ": the pickle's object tree expands to more than " + budget
						+ " entries, more than its size allows (shared references repeated over and over)");
				}
				if (node instanceof StoredTensor) {
					if ((prefix.isEmpty() || isUnder(key, prefix)) && out.put(key, (StoredTensor) node) != null) {
						throw new CheckpointFormatException(what + ": key '" + key + "' occurs twice after flattening");
					}
				}
				else if (node instanceof Map || node instanceof List || node instanceof PyTuple) {
					if (frames.size() >= MAX_DEPTH) throw new CheckpointFormatException(what + ": containers nest more than " + MAX_DEPTH + " deep at '" + key + "'");
					if (!visiting.add(node)) throw new CheckpointFormatException(what + ": the object tree is cyclic at '" + key + "'");
					frames.push(new Frame(node, key, children(node)));
				}
				else if (node instanceof Opaque || node instanceof PyGlobal) {
					checkOpaque(node, key, what);
				}
				// numbers, strings, None, inert placeholders without tensors: not tensors, left out
			}
			// the next child of the innermost container that has one left
			node = NONE;
			while (!frames.isEmpty() && !frames.peek().children().hasNext()) visiting.remove(frames.pop().node());
			if (frames.isEmpty()) return;
			Frame f = frames.peek();
			Map.Entry<?, ?> child = f.children().next();
			String name = String.valueOf(child.getKey());
			if (f.key().length() + 1 + name.length() > MAX_KEY_CHARS) {
				throw new CheckpointFormatException(what + ": a key under '" + PickleObjects.clip(f.key()) + "' is longer than " + MAX_KEY_CHARS + " characters");
			}
			key = join(f.key(), name);
			node = child.getValue();
		}
	}

	/** Nesting limit of the flattened tree: state dicts nest 2 deep, a Lightning checkpoint's optimizer state 5. */
	static final int MAX_DEPTH = 64;
	/** Longest flattened key: the official files' longest is under 100 characters. */
	static final int MAX_KEY_CHARS = 1024;
	/** Marks "no node" in the walk (null is Python's None, a valid value). */
	private static final Object NONE = new Object();

	private record Frame(Object node, String key, Iterator<? extends Map.Entry<?, ?>> children) {}

	private static Iterator<? extends Map.Entry<?, ?>> children(Object node) {
		if (node instanceof Map) return ((Map<?, ?>) node).entrySet().iterator();
		List<?> items = node instanceof PyTuple ? ((PyTuple) node).items() : (List<?>) node;
		return new Iterator<Map.Entry<?, ?>>() {
			int i;

			@Override
			public boolean hasNext() {
				return i < items.size();
			}

			@Override
			public Map.Entry<?, ?> next() {
				int at = i++;
				return Map.entry(Integer.toString(at), items.get(at) == null ? NONE : items.get(at));
			}
		};
	}

	private static void checkOpaque(Object node, String key, String what) throws CheckpointFormatException {
		PyGlobal g = node instanceof Opaque ? ((Opaque) node).global() : (PyGlobal) node;
		if (key.isEmpty()) {
			throw new CheckpointFormatException(what + ": the checkpoint's root object is '" + g + "', which is not allowed in a weight file");
		}
		if (containsTensor(node)) {
			throw new CheckpointFormatException(what + ": entry '" + key + "' holds tensors inside '" + g
				+ "', a global that is not allowed in a weight file (allowed: tensors, storages, dicts, OrderedDict, lists, tuples, numbers, strings)");
		}
	}

	/** Whether a tensor is reachable from {@code root}; each object is looked at once, without recursion. */
	private static boolean containsTensor(Object root) {
		Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
		Deque<Object> todo = new ArrayDeque<>();
		todo.push(root);
		while (!todo.isEmpty()) {
			Object node = todo.pop();
			if (!seen.add(node)) continue;
			if (node instanceof StoredTensor) return true;
			List<Object> next = new ArrayList<>();
			if (node instanceof Map) {
				for (Map.Entry<?, ?> e : ((Map<?, ?>) node).entrySet()) {
					next.add(e.getKey());
					next.add(e.getValue());
				}
			}
			else if (node instanceof List) next.addAll((List<?>) node);
			else if (node instanceof PyTuple) next.addAll(((PyTuple) node).items());
			else if (node instanceof Opaque) {
				next.add(((Opaque) node).args());
				next.addAll(((Opaque) node).state());
			}
			for (Object o : next) if (o != null) todo.push(o);
		}
		return false;
	}

	private static String join(String a, String b) {
		return a.isEmpty() ? b : a + "." + b;
	}

	/** True if {@code key} is the prefix, lies under it, or is an ancestor of it. */
	private static boolean isOnPath(String key, String prefix) {
		return isUnder(key, prefix) || (prefix + ".").startsWith(key + ".");
	}

	private static boolean isUnder(String key, String prefix) {
		String p = prefix.endsWith(".") ? prefix.substring(0, prefix.length() - 1) : prefix;
		return key.equals(p) || key.startsWith(p + ".");
	}

	@Override
	public Path path() {
		return file.path();
	}

	@Override
	public SortedMap<String, StoredTensor> tensors() {
		return tensors;
	}

	@Override
	public void close() throws IOException {
		file.close();
	}

	/** The allow-list: which globals a weight file may name, and what calling them builds. */
	static final class TorchPickleHandler implements Unpickler.Handler {

		/** Marker values for the globals that are allowed. */
		private enum Allowed { REBUILD_TENSOR_V2, REBUILD_PARAMETER, REBUILD_PARAMETER_WITH_STATE, ORDERED_DICT }

		/** A {@code torch.<Type>Storage} class. */
		private record StorageType(TensorDType dtype) {}

		/** Modules whose globals end the load at once: they exist to run code. */
		private static final Set<String> FORBIDDEN_MODULES = Set.of("os", "posix", "nt", "subprocess", "sys", "builtins", "__builtin__",
			"importlib", "runpy", "shutil", "socket", "pty", "ctypes", "pickle", "_pickle", "marshal", "types", "code", "codeop",
			"functools", "operator", "webbrowser", "io", "pathlib", "tempfile", "multiprocessing", "threading", "signal", "inspect");

		/** Harmless builtins that Lightning checkpoints use for non-tensor entries; kept inert. */
		private static final Set<String> INERT_BUILTINS = Set.of("set", "frozenset", "slice", "complex", "bytearray", "range");

		private final MappedFile file;
		private final Map<String, ZipDirectory.Entry> entries;
		private final String archive;
		private final String what;
		private final Map<String, Storage> storages = new HashMap<>();

		TorchPickleHandler(MappedFile file, Map<String, ZipDirectory.Entry> entries, String archive, String what) {
			this.file = file;
			this.entries = entries;
			this.archive = archive;
			this.what = what;
		}

		@Override
		public Object global(String module, String name) throws CheckpointFormatException {
			String full = module + "." + name;
			switch (full) {
				case "torch._utils._rebuild_tensor_v2": return Allowed.REBUILD_TENSOR_V2;
				case "torch._utils._rebuild_parameter": return Allowed.REBUILD_PARAMETER;
				case "torch._utils._rebuild_parameter_with_state": return Allowed.REBUILD_PARAMETER_WITH_STATE;
				case "collections.OrderedDict": return Allowed.ORDERED_DICT;
				default: break;
			}
			if (module.equals("torch") && name.endsWith("Storage")) {
				TensorDType t = TensorDType.fromStorageClass(name);
				if (t != null) return new StorageType(t);
			}
			String root = module.contains(".") ? module.substring(0, module.indexOf('.')) : module;
			boolean inertBuiltin = (module.equals("builtins") || module.equals("__builtin__")) && INERT_BUILTINS.contains(name);
			if (FORBIDDEN_MODULES.contains(root) && !inertBuiltin) {
				throw new CheckpointFormatException(what + ": the pickle names the global '" + full
					+ "', which can run code; a weight file must hold only tensors and containers. Refusing to load it.");
			}
			return new PyGlobal(module, name);
		}

		@Override
		public Object call(Object callable, PyTuple args) throws CheckpointFormatException {
			if (callable instanceof PyGlobal) return new Opaque((PyGlobal) callable, args, new java.util.ArrayList<>());
			if (callable == Allowed.ORDERED_DICT) {
				Map<Object, Object> d = new java.util.LinkedHashMap<>();
				if (args.size() == 1 && args.get(0) instanceof List) {
					for (Object pair : (List<?>) args.get(0)) {
						if (!(pair instanceof PyTuple) || ((PyTuple) pair).size() != 2) continue;
						Object k = ((PyTuple) pair).get(0);
						if (!PickleObjects.isKey(k)) throw new CheckpointFormatException(what + ": an OrderedDict key is a " + Unpickler.typeName(k) + ", not a string, number or flat tuple");
						d.put(k, ((PyTuple) pair).get(1));
					}
				}
				return d;
			}
			if (callable == Allowed.REBUILD_TENSOR_V2) return rebuildTensor(args);
			if (callable == Allowed.REBUILD_PARAMETER || callable == Allowed.REBUILD_PARAMETER_WITH_STATE) {
				if (args.size() < 1 || !(args.get(0) instanceof StoredTensor)) {
					throw new CheckpointFormatException(what + ": _rebuild_parameter without a tensor argument");
				}
				return args.get(0);
			}
			if (callable instanceof Opaque) return new Opaque(((Opaque) callable).global(), args, new java.util.ArrayList<>());
			throw new CheckpointFormatException(what + ": the pickle calls a " + Unpickler.typeName(callable) + ", which is not callable in a weight file");
		}

		@Override
		public Object build(Object obj, Object state) {
			if (obj instanceof Opaque) ((Opaque) obj).state().add(state);
			// OrderedDict's _metadata and other attribute state carry no weights: ignored.
			return obj;
		}

		@Override
		public Object persistentLoad(Object pid) throws CheckpointFormatException {
			if (!(pid instanceof PyTuple) || ((PyTuple) pid).size() < 5 || !"storage".equals(((PyTuple) pid).get(0))) {
				throw new CheckpointFormatException(what + ": unsupported persistent id " + PickleObjects.describe(pid) + " (expected a torch storage)");
			}
			PyTuple t = (PyTuple) pid;
			Object type = t.get(1);
			if (!(type instanceof StorageType)) {
				throw new CheckpointFormatException(what + ": storage of type '" + PickleObjects.describe(type) + "' is not a supported tensor storage (allowed: torch.FloatStorage, "
					+ "HalfStorage, BFloat16Storage, DoubleStorage, LongStorage, IntStorage, ShortStorage, CharStorage, ByteStorage, BoolStorage)");
			}
			if (!(t.get(2) instanceof String) || !(t.get(4) instanceof Long)) throw new CheckpointFormatException(what + ": malformed storage id " + PickleObjects.describe(pid));
			String key = (String) t.get(2);
			long numel = (Long) t.get(4);
			TensorDType dtype = ((StorageType) type).dtype();
			Storage s = storages.get(key);
			if (s != null) return new TypedStorage(s, dtype);
			ZipDirectory.Entry e = entries.get(archive + "data/" + key);
			if (e == null) throw new CheckpointFormatException(what + ": storage '" + key + "' is missing from the archive (truncated or corrupt file)");
			if (!e.stored()) throw new CheckpointFormatException(what + ": storage '" + key + "' is compressed in the zip; re-save the file with torch.save so storages are stored uncompressed");
			if (numel < 0 || numel > e.size() / dtype.bytes()) {
				throw new CheckpointFormatException(what + ": storage '" + PickleObjects.clip(key) + "' claims " + numel + " " + dtype.torchName()
					+ " elements but its entry holds only " + e.size() + " bytes");
			}
			if (e.size() > Storage.MAX_BYTES) {
				throw new CheckpointFormatException(what + ": storage '" + PickleObjects.clip(key) + "' has " + e.size() + " bytes; storages over "
					+ Storage.MAX_BYTES + " bytes cannot be read (the official files' largest has 0.2 GB)");
			}
			s = new Storage(file, key, e.dataOffset(), numel * dtype.bytes(), e.size(), e.crc());
			storages.put(key, s);
			return new TypedStorage(s, dtype);
		}

		private record TypedStorage(Storage storage, TensorDType dtype) {}

		private Object rebuildTensor(PyTuple a) throws CheckpointFormatException {
			if (a.size() < 4 || !(a.get(0) instanceof TypedStorage) || !(a.get(1) instanceof Long) || !(a.get(2) instanceof PyTuple)
				|| !(a.get(3) instanceof PyTuple))
			{
				throw new CheckpointFormatException(what + ": malformed _rebuild_tensor_v2 arguments " + describe(a));
			}
			TypedStorage ts = (TypedStorage) a.get(0);
			return new StoredTensor(ts.dtype(), longs((PyTuple) a.get(2)), longs((PyTuple) a.get(3)), (Long) a.get(1), ts.storage(),
				what + ": tensor in storage '" + ts.storage().name() + "'");
		}

		private long[] longs(PyTuple t) throws CheckpointFormatException {
			long[] out = new long[t.size()];
			for (int i = 0; i < out.length; i++) {
				if (!(t.get(i) instanceof Long)) throw new CheckpointFormatException(what + ": tensor size/stride entry " + t.get(i) + " is not an integer in range");
				out[i] = (Long) t.get(i);
			}
			return out;
		}

		private static String describe(PyTuple a) {
			StringBuilder sb = new StringBuilder("(");
			for (Object o : a.items()) sb.append(Unpickler.typeName(o)).append(' ');
			return sb.append(')').toString();
		}
	}
}
