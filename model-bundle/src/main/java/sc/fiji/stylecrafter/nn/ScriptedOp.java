package sc.fiji.stylecrafter.nn;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.JniUtils;

/**
 * A libtorch operator that DJL 0.36 does not expose, reached through a one-line TorchScript function written here: the
 * archive (a zip of the function's source and an empty module, the layout {@code torch.jit.save} writes) is made in
 * memory from {@link #source} and compiled by libtorch once per process. Nothing is read from any file: the only
 * TorchScript this project ever runs is the text in this code base.
 *
 * <p>The module owns no tensors, so one module serves every device; its arguments are tensors and floats, its result a
 * tensor on the first argument's manager.
 */
public final class ScriptedOp {

	/** TorchScript's numbers for the scalar types (a function's source names them so: {@code x.to(6)}). */
	public static final int FLOAT32 = 6;
	public static final int BFLOAT16 = 15;
	/** TorchScript's number for {@code torch.contiguous_format} (a memory format argument). */
	private static final int CONTIGUOUS_FORMAT = 0;

	private final String name;
	private final String source;
	private volatile PtSymbolBlock module;
	private volatile RuntimeException failure;

	/**
	 * @param name the module's class name (an identifier)
	 * @param signature the forward's parameters after {@code self}, e.g. {@code "q: Tensor, scale: float"}
	 * @param body the expression it returns, e.g. {@code "torch.softmax(q, -1)"}
	 */
	public ScriptedOp(String name, String signature, String body) {
		this.name = name;
		this.source = "class " + name + "(Module):\n  __parameters__ = []\n  __buffers__ = []\n  training : bool\n  def forward(self: __torch__." + name + ", "
			+ signature + ") -> Tensor:\n    return " + body + "\n";
	}

	/** The TorchScript source of the function. */
	public String source() {
		return source;
	}

	/**
	 * The source of {@code x} converted to {@code type} in the contiguous layout, whatever its strides (the conversion
	 * copies anyway): the layers' inputs are often transposed views or channels-last, and libtorch picks another kernel
	 * for those than for the contiguous inputs the route checks use, so that the kernel that computes is the one that
	 * was checked.
	 */
	static String dense(String x, int type) {
		// .contiguous() too: to() without a change of type leaves a transposed 2-d view as it is (its suggested format is
		// the contiguous one), and oneDNN then computes it with another kernel than the checked one (a last bit apart)
		return x + ".to(" + type + ", False, False, " + CONTIGUOUS_FORMAT + ").contiguous()";
	}

	/** The first of {@code ops} that libtorch cannot compile, as {@link #problem()} says it, or {@code null} if none. */
	public static String problem(ScriptedOp... ops) {
		for (ScriptedOp op : ops) {
			String p = op.problem();
			if (p != null) return p;
		}
		return null;
	}

	/**
	 * Compiles the function if that has not been tried yet.
	 *
	 * @return {@code null} if libtorch compiled it, else why not (an older libtorch without the operator, say)
	 */
	public String problem() {
		try {
			module();
			return null;
		}
		catch (RuntimeException e) {
			return e.getMessage();
		}
	}

	/**
	 * Runs the function; {@code args} are {@link NDArray}s, {@link Integer}s and {@link Long}s (TorchScript {@code int})
	 * and other {@link Number}s (TorchScript {@code float}).
	 */
	public NDArray call(Object... args) {
		PtSymbolBlock m = module();
		IValue[] in = new IValue[args.length];
		NDManager resultManager = null;
		try {
			for (int i = 0; i < args.length; i++) {
				Object a = args[i];
				if (a instanceof NDArray) {
					if (resultManager == null) resultManager = ((NDArray) a).getManager();
					in[i] = IValue.from((PtNDArray) a);
				}
				else if (a instanceof Integer || a instanceof Long) in[i] = IValue.from(((Number) a).longValue());
				else if (a instanceof Number) in[i] = IValue.from(((Number) a).doubleValue());
				else throw new IllegalArgumentException(name + ": argument " + i + " is a " + (a == null ? "null" : a.getClass().getSimpleName()));
			}
			if (resultManager == null) throw new IllegalArgumentException(name + " takes at least one tensor");
			try (IValue out = m.forward(in)) {
				return out.toTensor((PtNDManager) resultManager);
			}
		}
		finally {
			for (IValue v : in) if (v != null) v.close();
		}
	}

	private PtSymbolBlock module() {
		PtSymbolBlock m = module;
		if (m != null) return m;
		synchronized (this) {
			if (module != null) return module;
			if (failure != null) throw failure;
			// a manager of its own, for the life of the process: the module is a few hundred bytes and holds no tensors
			PtNDManager owner = (PtNDManager) NDManager.newBaseManager(ai.djl.Device.cpu());
			try {
				module = JniUtils.loadModule(owner, new ByteArrayInputStream(archive()), true, false);
				return module;
			}
			catch (EngineException | IOException | UnsupportedOperationException e) {
				owner.close();
				failure = new IllegalStateException("libtorch cannot compile " + name + " (" + firstLine(e) + ")", e);
				throw failure;
			}
		}
	}

	/** The TorchScript archive: pickled module object (class name, training false), source, constants, format version. */
	private byte[] archive() {
		ByteArrayOutputStream zip = new ByteArrayOutputStream();
		try (ZipOutputStream z = new ZipOutputStream(zip)) {
			ByteArrayOutputStream data = new ByteArrayOutputStream();
			data.write(new byte[] { (byte) 0x80, 2, 'c' }); // PROTO 2, GLOBAL
			data.write(("__torch__\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
			data.write(new byte[] { 'q', 0, ')', (byte) 0x81, '}', '(', 'X', 8, 0, 0, 0 }); // BINPUT, EMPTY_TUPLE, NEWOBJ, EMPTY_DICT, MARK, "training"
			data.write("training".getBytes(StandardCharsets.US_ASCII));
			data.write(new byte[] { 'q', 1, (byte) 0x89, 'u', 'b', 'q', 2, '.' }); // False, SETITEMS, BUILD, STOP
			entry(z, "data.pkl", data.toByteArray());
			entry(z, "code/__torch__.py", source.getBytes(StandardCharsets.UTF_8));
			entry(z, "constants.pkl", new byte[] { (byte) 0x80, 2, ')', '.' }); // an empty tuple
			entry(z, "version", "3\n".getBytes(StandardCharsets.US_ASCII));
		}
		catch (IOException e) {
			throw new UncheckedIOException(e); // in memory: cannot happen
		}
		return zip.toByteArray();
	}

	private void entry(ZipOutputStream z, String path, byte[] bytes) throws IOException {
		z.putNextEntry(new ZipEntry(name.toLowerCase(java.util.Locale.ROOT) + "/" + path));
		z.write(bytes);
		z.closeEntry();
	}

	/** The first non-blank line of an exception's message (libtorch's compile errors start with an empty line). */
	static String firstLine(Throwable e) {
		String m = e.getMessage() == null ? "" : e.getMessage();
		return m.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse(e.getClass().getSimpleName());
	}
}
