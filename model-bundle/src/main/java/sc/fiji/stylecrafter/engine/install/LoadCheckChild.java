package sc.fiji.stylecrafter.engine.install;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.LibUtils;

/**
 * The main class {@link ChildProcessLoadCheck} runs in a new JVM: points DJL at a candidate libtorch as a StyleCrafter
 * start does ({@link DjlLibtorch#point}), creates DJL's PyTorch engine, computes a small sum on it, and prints one line
 * starting with {@value #MARK}: {@code loaded DIR VERSION} or {@code failed MESSAGE}. Exit code 0 when it loaded.
 *
 * <p>Arguments: the runtime folder, the libtorch version, flavor and platform.
 */
public final class LoadCheckChild {

	/** Starts the line the parent reads. */
	static final String MARK = "stylecrafter-load-check: ";

	private LoadCheckChild() {}

	/** Loads the runtime named by {@code args} (folder, version, flavor, platform), prints the verdict line and exits. */
	public static void main(String[] args) {
		try {
			InstalledRuntime r = new InstalledRuntime(Path.of(args[0]), args[1], args[2], args[3], "-", "-", Map.of(), "");
			String warning = DjlLibtorch.point(r);
			if (warning != null) System.out.println("warning: " + warning);
			Engine engine = Engine.getEngine("PyTorch");
			Path loaded = Path.of(LibUtils.getLibtorchPath()).toAbsolutePath().normalize();
			if (!loaded.equals(r.libDir().toAbsolutePath().normalize())) {
				System.out.println(MARK + "failed DJL loaded the libtorch in " + loaded + " instead");
				System.exit(1);
			}
			float sum;
			try (NDManager m = engine.newBaseManager()) {
				sum = m.create(new float[] { 1, 2, 3 }).mul(2).sum().getFloat();
			}
			if (sum != 12f) {
				System.out.println(MARK + "failed it loaded but computed 2 * (1 + 2 + 3) = " + sum);
				System.exit(1);
			}
			System.out.println(MARK + "loaded " + loaded + " " + LibUtils.getVersion());
			System.exit(0);
		}
		catch (Throwable t) { // NOPMD: every failure of the loader (UnsatisfiedLinkError, EngineException, ...) is the answer
			System.out.println(MARK + "failed " + messages(t));
			System.exit(1);
		}
	}

	/** The distinct messages of a throwable and its causes, joined: DJL wraps the linker's own message. */
	public static String messages(Throwable t) {
		Set<String> parts = new LinkedHashSet<>();
		for (Throwable c = t; c != null && parts.size() < 6; c = c.getCause()) {
			String m = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage().replace('\n', ' ').strip();
			if (parts.stream().noneMatch(p -> p.contains(m))) parts.add(m);
		}
		return String.join(": ", parts);
	}
}
