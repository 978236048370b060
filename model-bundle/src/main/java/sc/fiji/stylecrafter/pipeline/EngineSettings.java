package sc.fiji.stylecrafter.pipeline;

/**
 * Settings DJL reads once, when its engine starts, made before anything of ours touches it: no network access unless
 * the user asks for a download (DJL otherwise probes a cloud metadata address for its usage tracking, and downloads
 * native libraries it does not find), and no INFO chatter from DJL on standard error (in Fiji that opens the Console).
 * A value the user set (system property or environment variable) is left alone. Also asks libtorch for huge pages for
 * large CPU tensors ({@link sc.fiji.stylecrafter.nn.NativeMemory#enableHugePagesForTensors}) and chooses which libtorch
 * DJL loads ({@link sc.fiji.stylecrafter.runtime.RuntimeSelection}).
 */
public final class EngineSettings {

	/** DJL: never download (engines, models); fail instead. */
	public static final String OFFLINE = "ai.djl.offline";
	/** DJL: no usage tracking (the EC2 metadata probe and the telemetry request). */
	public static final String OPT_OUT_TRACKING = "OPT_OUT_TRACKING";
	/** slf4j-simple (when it is the binding): DJL's own log level. */
	public static final String SIMPLE_LOGGER_DJL = "org.slf4j.simpleLogger.log.ai.djl";

	private static volatile boolean prepared;

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
			sc.fiji.stylecrafter.runtime.RuntimeSelection.select(); // an installed GPU runtime, when the driver can run it
			prepared = true;
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
