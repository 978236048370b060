package sc.fiji.stylecrafter.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
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

	private static final long MAX_PICKLE_BYTES = 1L << 30;

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
			Object root = new Unpickler(readEntry(file, pkl, what), handler, what + " (data.pkl)").load();
			SortedMap<String, StoredTensor> flat = new TreeMap<>();
			flatten(root, "", prefix == null ? "" : prefix, flat, Collections.newSetFromMap(new IdentityHashMap<>()), what);
			return new TorchCheckpoint(file, Collections.unmodifiableSortedMap(flat));
		}
		catch (IOException | RuntimeException e) {
			file.close();
			throw e;
		}
	}

	private static ByteBuffer readEntry(MappedFile file, ZipDirectory.Entry e, String what) throws IOException {
		if (e.size() > MAX_PICKLE_BYTES) throw new CheckpointFormatException(what + ": entry '" + e.name() + "' declares " + e.size() + " bytes, more than allowed for metadata");
		ByteBuffer raw = ZipDirectory.readAt(file.channel(), e.dataOffset(), (int) e.compressedSize());
		if (e.stored()) return raw;
		if (e.method() != 8) throw new CheckpointFormatException(what + ": entry '" + e.name() + "' uses zip compression method " + e.method() + "; only stored and deflated are supported");
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
	 * Flattens containers into dotted keys. Subtrees that cannot lead to {@code prefix} are not visited; an
	 * unresolved object on the way to a requested tensor is an error naming its global.
	 */
	static void flatten(Object node, String key, String prefix, SortedMap<String, StoredTensor> out, Set<Object> visiting, String what)
		throws CheckpointFormatException
	{
		if (!prefix.isEmpty() && !key.isEmpty() && !isOnPath(key, prefix)) return;
		if (node instanceof StoredTensor) {
			if (!prefix.isEmpty() && !isUnder(key, prefix)) return;
			if (out.put(key, (StoredTensor) node) != null) throw new CheckpointFormatException(what + ": key '" + key + "' occurs twice after flattening");
			return;
		}
		if (node instanceof Map || node instanceof List || node instanceof PyTuple) {
			if (!visiting.add(node)) throw new CheckpointFormatException(what + ": the object tree is cyclic at '" + key + "'");
			if (node instanceof Map) {
				for (Map.Entry<?, ?> e : ((Map<?, ?>) node).entrySet()) {
					flatten(e.getValue(), join(key, String.valueOf(e.getKey())), prefix, out, visiting, what);
				}
			}
			else {
				List<?> items = node instanceof PyTuple ? ((PyTuple) node).items() : (List<?>) node;
				for (int i = 0; i < items.size(); i++) flatten(items.get(i), join(key, Integer.toString(i)), prefix, out, visiting, what);
			}
			visiting.remove(node);
			return;
		}
		if (node instanceof Opaque || node instanceof PyGlobal) {
			PyGlobal g = node instanceof Opaque ? ((Opaque) node).global() : (PyGlobal) node;
			if (key.isEmpty()) {
				throw new CheckpointFormatException(what + ": the checkpoint's root object is '" + g + "', which is not allowed in a weight file");
			}
			if (containsTensor(node, Collections.newSetFromMap(new IdentityHashMap<>()))) {
				throw new CheckpointFormatException(what + ": entry '" + key + "' holds tensors inside '" + g
					+ "', a global that is not allowed in a weight file (allowed: tensors, storages, dicts, OrderedDict, lists, tuples, numbers, strings)");
			}
		}
		// numbers, strings, None, inert placeholders without tensors: not tensors, left out
	}

	private static boolean containsTensor(Object node, Set<Object> seen) {
		if (node == null || !seen.add(node)) return false;
		if (node instanceof StoredTensor) return true;
		if (node instanceof Map) {
			for (Map.Entry<?, ?> e : ((Map<?, ?>) node).entrySet()) {
				if (containsTensor(e.getKey(), seen) || containsTensor(e.getValue(), seen)) return true;
			}
		}
		if (node instanceof List) for (Object o : (List<?>) node) if (containsTensor(o, seen)) return true;
		if (node instanceof PyTuple) for (Object o : ((PyTuple) node).items()) if (containsTensor(o, seen)) return true;
		if (node instanceof Opaque) {
			Opaque o = (Opaque) node;
			if (containsTensor(o.args(), seen)) return true;
			for (Object s : o.state()) if (containsTensor(s, seen)) return true;
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
						if (pair instanceof PyTuple && ((PyTuple) pair).size() == 2) d.put(((PyTuple) pair).get(0), ((PyTuple) pair).get(1));
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
				throw new CheckpointFormatException(what + ": unsupported persistent id " + pid + " (expected a torch storage)");
			}
			PyTuple t = (PyTuple) pid;
			Object type = t.get(1);
			if (!(type instanceof StorageType)) {
				throw new CheckpointFormatException(what + ": storage of type '" + type + "' is not a supported tensor storage (allowed: torch.FloatStorage, "
					+ "HalfStorage, BFloat16Storage, DoubleStorage, LongStorage, IntStorage, ShortStorage, CharStorage, ByteStorage, BoolStorage)");
			}
			if (!(t.get(2) instanceof String) || !(t.get(4) instanceof Long)) throw new CheckpointFormatException(what + ": malformed storage id " + pid);
			String key = (String) t.get(2);
			long numel = (Long) t.get(4);
			TensorDType dtype = ((StorageType) type).dtype();
			Storage s = storages.get(key);
			if (s != null) return new TypedStorage(s, dtype);
			ZipDirectory.Entry e = entries.get(archive + "data/" + key);
			if (e == null) throw new CheckpointFormatException(what + ": storage '" + key + "' is missing from the archive (truncated or corrupt file)");
			if (!e.stored()) throw new CheckpointFormatException(what + ": storage '" + key + "' is compressed in the zip; re-save the file with torch.save so storages are stored uncompressed");
			if (numel < 0 || numel > e.size() / dtype.bytes()) {
				throw new CheckpointFormatException(what + ": storage '" + key + "' claims " + numel + " " + dtype.torchName() + " elements but its entry holds only "
					+ e.size() + " bytes");
			}
			s = new Storage(file, key, e.dataOffset(), numel * dtype.bytes());
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
