package sc.fiji.stylecrafter.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs a main class of the test class path in a new JVM (offline, as the tests' own JVM), for what a JVM can do only
 * once (load libtorch, read its environment at start), and returns its output lines; it must exit with 0 within two
 * minutes.
 */
public final class ChildJvm {

	private ChildJvm() {}

	/**
	 * @param jvmOptions e.g. {@code -Xmx512m}, {@code -Dkey=value}
	 * @param env changes to the child's environment (inherited from this JVM)
	 */
	public static List<String> run(List<String> jvmOptions, Consumer<Map<String, String>> env, Class<?> main, String... args)
		throws IOException, InterruptedException
	{
		List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Dai.djl.offline=true"));
		cmd.addAll(jvmOptions);
		cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
		cmd.addAll(List.of(args));
		ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
		env.accept(pb.environment());
		Process proc = pb.start();
		String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertTrue(proc.waitFor(120, TimeUnit.SECONDS));
		assertEquals(0, proc.exitValue(), out);
		return out.lines().toList();
	}
}
