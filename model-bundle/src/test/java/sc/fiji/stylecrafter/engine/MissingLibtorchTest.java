package sc.fiji.stylecrafter.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A class path without the libtorch of this platform (an Intel Mac, or a Fiji without its jars/&lt;platform&gt;/) gets
 * a message that names the platform and what to do, not DJL's "Failed to save pytorch index file".
 */
class MissingLibtorchTest {

	@Test
	void aMissingNativeLibtorchIsNamedWithWhatToDo(@TempDir Path cache) throws Exception {
		String cp = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator)).filter(p -> !p.contains("pytorch-native"))
			.collect(Collectors.joining(File.pathSeparator));
		List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Dai.djl.offline=true",
			"-Dstylecrafter.runtime.folder=" + cache.resolve("runtime"), "-cp", cp, StartChild.class.getName()));
		ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
		pb.environment().keySet().removeIf(k -> k.startsWith("PYTORCH_") || k.equals("STYLECRAFTER_RUNTIME"));
		pb.environment().put("DJL_CACHE_DIR", cache.resolve("djl").toString()); // no libtorch extracted before
		pb.environment().put("ENGINE_CACHE_DIR", cache.resolve("engines").toString());
		Process p = pb.start();
		String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertTrue(p.waitFor(120, TimeUnit.SECONDS));
		String platform = sc.fiji.stylecrafter.engine.install.LibtorchArchive.currentClassifier();
		assertTrue(out.contains("failed=") && out.contains("platform " + platform) && out.contains("Help > Update"), out);
	}
}
