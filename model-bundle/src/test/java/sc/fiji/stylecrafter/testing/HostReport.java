package sc.fiji.stylecrafter.testing;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import sc.fiji.stylecrafter.nn.Host;

/**
 * Names the machine at the top of the tests' output, once per test JVM, so that a failure on another machine can be
 * read: CPU model and flags, libtorch's thread count ({@link Host#describe}) and the instruction set oneDNN itself
 * reports (asked in a child JVM with {@code ONEDNN_VERBOSE=1}, which oneDNN reads only when it loads). Registered for
 * every test class through {@code META-INF/services} (JUnit's extension auto-detection).
 */
public final class HostReport implements BeforeAllCallback {

	private static boolean printed;

	@Override
	public void beforeAll(ExtensionContext context) throws Exception {
		synchronized (HostReport.class) {
			if (printed) return;
			printed = true;
		}
		String isa;
		try {
			List<String> lines = ChildJvm.run(List.of(), (Map<String, String> env) -> env.put("ONEDNN_VERBOSE", "1"), OnednnIsa.class);
			isa = lines.stream().filter(l -> l.contains(",isa:")).map(l -> l.substring(l.indexOf(",isa:") + 5)).findFirst().orElse("not reported");
		}
		catch (Exception | AssertionError e) {
			isa = "unknown (" + e.getMessage() + ")";
		}
		ai.djl.engine.Engine.getEngine("PyTorch"); // loaded, so that libtorch's thread count can be read
		System.out.println("test host: " + Host.describe() + "; oneDNN reports: " + isa);
	}
}
