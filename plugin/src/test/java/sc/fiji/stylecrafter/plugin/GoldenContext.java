package sc.fiji.stylecrafter.plugin;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;
import org.scijava.Context;

/**
 * A real SciJava context whose StyleCrafter service uses the golden model folder ({@code -Dstylecrafter.golden}); the
 * test is skipped without one. Closing it gives the user's own model folder preference back and disposes the context.
 */
final class GoldenContext implements AutoCloseable {

	final Path golden;
	final Context context;
	final StyleCrafterService service;
	private final Path previousFolder;

	private GoldenContext(Path golden) throws InterruptedException {
		this.golden = golden;
		context = new Context();
		service = context.service(StyleCrafterService.class);
		previousFolder = service.modelFolder();
		service.setModelFolder(golden);
	}

	/** The golden folder, or the test is skipped. */
	static Path folder() {
		String p = System.getProperty("stylecrafter.golden", "");
		Assumptions.assumeTrue(!p.isBlank() && Files.isDirectory(Path.of(p)), "skipped: set -Dstylecrafter.golden=<golden folder>");
		return Path.of(p);
	}

	static GoldenContext start() throws InterruptedException {
		return new GoldenContext(folder());
	}

	@Override
	public void close() throws InterruptedException {
		try {
			service.setModelFolder(previousFolder);
		}
		finally {
			context.dispose();
		}
	}
}
