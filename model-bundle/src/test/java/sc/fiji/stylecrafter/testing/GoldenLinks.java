package sc.fiji.stylecrafter.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import sc.fiji.stylecrafter.io.Fixtures;

/** Model folders made of links to the golden folder's files, for tests that break one thing in them. */
public final class GoldenLinks {

	private GoldenLinks() {}

	/** A new folder {@code dir} linking every golden file, with files {@code a} and {@code b} trading names. */
	public static Path withSwap(Path dir, String a, String b) throws IOException {
		Path golden = Fixtures.goldenFolder();
		Files.createDirectories(dir);
		try (Stream<Path> files = Files.list(golden)) {
			for (Path f : (Iterable<Path>) files::iterator) {
				String name = f.getFileName().toString();
				String target = name.equals(a) ? b : name.equals(b) ? a : name;
				Files.createSymbolicLink(dir.resolve(target), f.toAbsolutePath());
			}
		}
		return dir;
	}

	/** A new folder linking every golden file unchanged. */
	public static Path of(Path dir) throws IOException {
		return withSwap(dir, "", "");
	}
}
