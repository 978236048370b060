package sc.fiji.stylecrafter.site;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;

/** The runtime jars the build copied for the site ({@code target/site-input}, repository layout). */
final class SiteInput {

	private SiteInput() {}

	static Path folder() {
		String p = System.getProperty("stylecrafter.site.input", "");
		Assumptions.assumeTrue(!p.isBlank() && Files.isDirectory(Path.of(p)), "skipped: no site input (run the tests with mvn verify)");
		return Path.of(p);
	}
}
