package sc.fiji.stylecrafter.engine;

/**
 * Settings DJL reads once, when its engine starts, made before anything of ours touches it: no network access unless
 * the user asks for a download (DJL otherwise probes a cloud metadata address for its usage tracking, and downloads
 * native libraries it does not find), and no INFO chatter from DJL on standard error (in Fiji that opens the Console).
 * A value the user set (system property or environment variable) is left alone. Also asks libtorch for huge pages for
 * large CPU tensors ({@link sc.fiji.stylecrafter.nn.NativeMemory#enableHugePagesForTensors}) and chooses which libtorch
 * DJL loads ({@link sc.fiji.stylecrafter.engine.RuntimeSelection}); an installed runtime that cannot be loaded is
 * passed over with a notice on standard error, and one that fails when the engine starts is remembered as failed.
 */
public final class EngineSettings {

	/** DJL: never download (engines, models); fail instead. */
	public static final String OFFLINE = "ai.djl.offline";
	/** DJL: no usage tracking (the EC2 metadata probe and the telemetry request). */
	public static final String OPT_OUT_TRACKING = "OPT_OUT_TRACKING";
	/** slf4j-simple (when it is the binding): DJL's own log level. */
	public static final String SIMPLE_LOGGER_DJL = "org.slf4j.simpleLogger.log.ai.djl";

	/** libtorch's own switch for its C++ log (read by its Python start-up only; honoured here where the user sets it). */
	public static final String TORCH_LOG_LEVEL = "TORCH_CPP_LOG_LEVEL";

	private static volatile boolean prepared;
	private static volatile boolean started;

	private EngineSettings() {}

	/** Makes the settings once; cheap to call again. */
	public static void prepare() {
		if (prepared) return;
		synchronized (EngineSettings.class) {
			if (prepared) return;
			setUnlessGiven(OFFLINE, "DJL_OFFLINE", "true");
			setUnlessGiven(OPT_OUT_TRACKING, OPT_OUT_TRACKING, "true");
			setUnlessGiven(SIMPLE_LOGGER_DJL, null, "error");
			quietLogback();
			sc.fiji.stylecrafter.nn.NativeMemory.enableHugePagesForTensors(); // before libtorch's first allocation
			RuntimeSelection.Choice c = RuntimeSelection.select(); // an installed GPU runtime, when the driver can run it
			if (c.notice() != null) System.err.println(c.notice()); // once per process; rare, and the user can act on it
			prepared = true;
		}
	}

	/**
	 * {@link #prepare}s, loads DJL's PyTorch engine, and keeps libtorch's warnings off standard error: libtorch prints
	 * them there itself (in Fiji that opens the Console), e.g. {@code Could not initialize NNPACK! Reason: Unsupported
	 * hardware.} on CPUs its NNPACK does not know, at the first convolution, which tells a user nothing they can act on.
	 * Errors still print. A user's {@value #TORCH_LOG_LEVEL} is left alone. Cheap to call again.
	 *
	 * @throws IllegalStateException when the installed runtime chosen fails to load: the message names its folder, the
	 *         loader's message and how to remove it; the failure is recorded in the runtime's manifest, so that the next
	 *         start uses the CPU libtorch (this process cannot: a libtorch that failed to load leaves parts of itself
	 *         loaded)
	 */
	public static void start() {
		prepare();
		if (started) return;
		synchronized (EngineSettings.class) {
			if (started) return;
			try {
				ai.djl.engine.Engine.getEngine("PyTorch");
			}
			catch (RuntimeException | LinkageError e) {
				throw runtimeFailed(e);
			}
			if (System.getenv(TORCH_LOG_LEVEL) == null) quietLibtorch();
			started = true;
		}
	}

	/** The failure of the engine start as the user needs it, when an installed runtime was chosen; else {@code e} itself. */
	private static RuntimeException runtimeFailed(Throwable e) {
		sc.fiji.stylecrafter.engine.install.InstalledRuntime r = RuntimeSelection.made().map(RuntimeSelection.Choice::runtime).orElse(null);
		if (r == null) {
			IllegalStateException missing = missingLibtorch(e);
			if (missing != null) return missing;
			if (e instanceof RuntimeException re) throw re;
			throw (Error) e;
		}
		String why = sc.fiji.stylecrafter.engine.install.LoadCheckChild.messages(e);
		String next;
		try {
			r.recordLoadFailure(why);
			next = "StyleCrafter uses the CPU libtorch from its next start (restart Fiji, or run the command again)";
		}
		catch (java.io.IOException io) {
			next = "this could not be recorded in " + r.dir() + " (" + io.getMessage() + "), so the next start tries it again";
		}
		return new IllegalStateException("libtorch could not be loaded from the GPU runtime in " + r.dir() + ": " + why + ". " + next
			+ "; to remove the runtime: " + RuntimeSelection.removeCommand(r.dir().getParent()), e);
	}

	/**
	 * The start's failure as a user can act on it when no libtorch for this platform is on the class path (DJL then
	 * tries to download one, which is off, and says only "Failed to save pytorch index file"), or {@code null} for
	 * another failure.
	 */
	static IllegalStateException missingLibtorch(Throwable e) {
		StringBuilder all = new StringBuilder();
		for (Throwable t = e; t != null; t = t.getCause()) all.append(' ').append(t.getMessage());
		String m = all.toString();
		if (!m.contains("pytorch index file") && !m.contains("No PyTorch native library") && !m.contains("Failed to download PyTorch native library")) {
			return null;
		}
		String os = System.getProperty("os.name"), arch = System.getProperty("os.arch");
		String platform = sc.fiji.stylecrafter.engine.install.LibtorchArchive.currentClassifier();
		boolean intelMac = os.toLowerCase(java.util.Locale.ROOT).contains("mac") && (arch.equals("x86_64") || arch.equals("amd64"));
		String what = intelMac
			? "StyleCrafter cannot generate on an Intel Mac: there is no libtorch 2.7.1 for it (PyTorch stopped building one); Export Video still works. "
				+ "Use a Mac with Apple silicon, Linux or Windows"
			: "the libtorch for this computer (" + os + ", " + arch + ": platform " + platform + ") is not among Fiji's files: StyleCrafter's update site "
				+ "installs it as jars/<platform>/pytorch-native-cpu-*.jar. Run Help > Update... and apply the StyleCrafter site's changes (on the command "
				+ "line: build with mvn package, which puts it in model-bundle/target/lib)";
		return new IllegalStateException(what + " (DJL: " + e.getMessage() + ")", e);
	}

	/**
	 * Raises c10's log threshold ({@code FLAGS_caffe2_log_level}, an exported int of the loaded libc10) from WARNING (1) to
	 * ERROR (2). libtorch without Python never reads {@value #TORCH_LOG_LEVEL}, so the flag is set in the loaded library
	 * itself; where it cannot be found nothing changes.
	 */
	private static void quietLibtorch() {
		try {
			java.nio.file.Path dir = java.nio.file.Path.of(ai.djl.pytorch.jni.LibUtils.getLibtorchPath());
			for (String name : new String[] { "libc10.so", "libc10.dylib", "c10.dll" }) {
				java.nio.file.Path lib = dir.resolve(name);
				if (!java.nio.file.Files.isRegularFile(lib)) continue;
				com.sun.jna.NativeLibrary.getInstance(lib.toAbsolutePath().toString()).getGlobalVariableAddress("FLAGS_caffe2_log_level").setInt(0, 2);
				return;
			}
		}
		catch (RuntimeException | LinkageError e) {
			// another libtorch build without the flag: its warnings stay
		}
	}

	/**
	 * Where logback is the slf4j binding (as in some Fiji installations), DJL's logger is set to ERROR through
	 * logback's own API, found by reflection so that logback is not a dependency. Any other binding is left alone.
	 */
	private static void quietLogback() {
		try {
			Object logger = org.slf4j.LoggerFactory.getLogger("ai.djl");
			if (!logger.getClass().getName().equals("ch.qos.logback.classic.Logger")) return;
			Class<?> level = Class.forName("ch.qos.logback.classic.Level", false, logger.getClass().getClassLoader());
			logger.getClass().getMethod("setLevel", level).invoke(logger, level.getField("ERROR").get(null));
		}
		catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
			// not logback, or a logback we do not know: leave it
		}
	}

	private static void setUnlessGiven(String property, String env, String value) {
		if (System.getProperty(property) != null) return;
		if (env != null && System.getenv(env) != null) return;
		System.setProperty(property, value);
	}
}
