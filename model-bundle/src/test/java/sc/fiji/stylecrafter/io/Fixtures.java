package sc.fiji.stylecrafter.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;


import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.junit.jupiter.api.Assumptions;

/** Access to the committed fixtures and to the golden folder given by {@code -Dstylecrafter.golden}. */
public final class Fixtures {

	private Fixtures() {}

	public static Path fixture(String name) {
		try {
			return Path.of(Fixtures.class.getResource("/fixtures/" + name).toURI());
		}
		catch (URISyntaxException | NullPointerException e) {
			throw new IllegalStateException("missing test fixture " + name, e);
		}
	}

	public static JsonObject expected(String name) {
		try (InputStream in = Files.newInputStream(fixture(name + ".expected.json"))) {
			return JsonParser.parseString(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)).getAsJsonObject();
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	/** The golden folder, or a skipped test (with the reason) when the property is unset or wrong. */
	public static Path goldenFolder() {
		String p = System.getProperty("stylecrafter.golden", "");
		Assumptions.assumeTrue(p != null && !p.isBlank() && !p.startsWith("${"),
			"golden tests skipped: set -Dstylecrafter.golden=<folder like ../shared/golden/tiny-v1>");
		Path dir = Path.of(p);
		Assumptions.assumeTrue(Files.isDirectory(dir), "golden tests skipped: " + dir.toAbsolutePath() + " is not a folder");
		return dir;
	}

}
