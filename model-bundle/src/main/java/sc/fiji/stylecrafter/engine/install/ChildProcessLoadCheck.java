package sc.fiji.stylecrafter.engine.install;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.CodeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Loads a candidate libtorch in a new JVM started with this process's {@code java} ({@link LoadCheckChild}), so that a
 * libtorch that cannot load (another system's, a damaged copy, missing CUDA libraries) fails there and not in this
 * process, where a failed libtorch cannot be replaced by another. The child gets this process's class path (and the jars
 * of DJL, JNA and this bundle, for launchers such as Fiji's whose class path names only the launcher), none of DJL's
 * environment variables (so the user's own {@code PYTORCH_LIBRARY_PATH} does not decide), and a time limit.
 */
public final class ChildProcessLoadCheck implements LoadCheck {

	/** Loading a CUDA libtorch (about 4 GB) from a cold disk takes seconds to a minute. */
	public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(3);
	/** Classes whose jars the child needs, looked up by name (a missing one is left out). */
	private static final List<String> NEEDED = List.of("sc.fiji.stylecrafter.engine.install.LoadCheckChild", "ai.djl.engine.Engine",
		"ai.djl.pytorch.engine.PtEngine", "com.google.gson.Gson", "org.slf4j.LoggerFactory", "com.sun.jna.Native");
	private static final int KEEP_OUTPUT = 64 << 10;

	private final Duration timeout;

	/** @param timeout how long the child may take to load and compute before it is stopped and the runtime refused */
	public ChildProcessLoadCheck(Duration timeout) {
		this.timeout = timeout;
	}

	@Override
	public String problem(InstalledRuntime candidate) throws IOException, InterruptedException {
		List<String> cmd = new ArrayList<>(List.of(javaExecutable(), "-Xmx256m", "-XX:+UseSerialGC", "-Dai.djl.offline=true", "-DOPT_OUT_TRACKING=true",
			"-Dorg.slf4j.simpleLogger.log.ai.djl=error", "-cp", classPath(), LoadCheckChild.class.getName(), candidate.dir().toAbsolutePath().toString(),
			candidate.version(), candidate.flavor(), candidate.classifier()));
		ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
		for (String v : DjlLibtorch.ENVIRONMENT) pb.environment().remove(v);
		Process p = pb.start();
		Tail tail = new Tail(p.getInputStream());
		tail.start();
		boolean ended = p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS);
		if (!ended) {
			p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			return "it did not finish loading within " + timeout.toSeconds() + " s (the Java process loading it was stopped)";
		}
		tail.join(10_000);
		String out = tail.text();
		String verdict = out.lines().filter(l -> l.startsWith(LoadCheckChild.MARK)).reduce((a, b) -> b).map(l -> l.substring(LoadCheckChild.MARK.length()))
			.orElse(null);
		if (p.exitValue() == 0 && verdict != null && verdict.startsWith("loaded ")) return null;
		if (verdict != null && verdict.startsWith("failed ")) return verdict.substring("failed ".length());
		List<String> last = out.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
		String said = last.isEmpty() ? "it printed nothing" : "its last words: " + String.join(" | ", last.subList(Math.max(0, last.size() - 3), last.size()));
		return "the Java process loading it ended with exit code " + p.exitValue() + " (" + said + ")";
	}

	/** This JVM's {@code java}. */
	static String javaExecutable() {
		String exe = File.separatorChar == '\\' ? "java.exe" : "java";
		return Path.of(System.getProperty("java.home"), "bin", exe).toString();
	}

	/** This process's class path, plus the jars (or folders) holding the classes the child needs and DJL's JNI jar. */
	static String classPath() {
		Set<String> entries = new LinkedHashSet<>();
		String own = System.getProperty("java.class.path", "");
		for (String e : own.split(File.pathSeparator)) if (!e.isBlank()) entries.add(e);
		ClassLoader loader = ChildProcessLoadCheck.class.getClassLoader();
		for (String name : NEEDED) {
			try {
				CodeSource cs = Class.forName(name, false, loader).getProtectionDomain().getCodeSource();
				if (cs != null && cs.getLocation() != null) entries.add(Path.of(cs.getLocation().toURI()).toString());
			}
			catch (ClassNotFoundException | URISyntaxException | IllegalArgumentException | SecurityException e) {
				// not there (or not a file): the class path may still have it
			}
		}
		URL jni = loader.getResource("jnilib/pytorch.properties");
		if (jni != null && jni.getProtocol().equals("jar")) {
			String s = jni.getPath(); // file:/path/pytorch-jni.jar!/jnilib/pytorch.properties
			try {
				entries.add(Path.of(new java.net.URI(s.substring(0, s.indexOf("!/")))).toString());
			}
			catch (URISyntaxException | IllegalArgumentException | IndexOutOfBoundsException e) {
				// leave it to the class path
			}
		}
		return String.join(File.pathSeparator, entries);
	}

	/** Reads a process's output on its own thread, keeping the last {@value #KEEP_OUTPUT} bytes. */
	private static final class Tail extends Thread {

		private final InputStream in;
		private final ByteArrayOutputStream kept = new ByteArrayOutputStream();

		Tail(InputStream in) {
			super("stylecrafter-load-check-output");
			setDaemon(true);
			this.in = in;
		}

		@Override
		public void run() {
			byte[] buf = new byte[8192];
			try (in) {
				for (int n; (n = in.read(buf)) > 0;) {
					synchronized (kept) {
						kept.write(buf, 0, n);
						if (kept.size() > 2 * KEEP_OUTPUT) {
							byte[] all = kept.toByteArray();
							kept.reset();
							kept.write(all, all.length - KEEP_OUTPUT, KEEP_OUTPUT);
						}
					}
				}
			}
			catch (IOException e) {
				// the process ended
			}
		}

		String text() {
			synchronized (kept) {
				return kept.toString(StandardCharsets.UTF_8);
			}
		}
	}
}
