package sc.fiji.stylecrafter.engine.install;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;

import sc.fiji.stylecrafter.download.ModelSetupException;

/**
 * Reads the small text files of a runtime folder or a libtorch zip ({@code build-version}, the manifests) with a size
 * limit, so that a damaged or foreign file of gigabytes is refused with a sentence instead of filling the Java heap.
 */
public final class SmallText {

	/** A libtorch {@code build-version} is one short line ({@code 2.7.1+cu128}). */
	public static final int BUILD_VERSION_LIMIT = 4 << 10;
	/** A manifest lists a few hundred files at most. */
	public static final int MANIFEST_LIMIT = 1 << 20;

	private SmallText() {}

	/**
	 * The bytes of {@code file}, at most {@code limit} of them.
	 *
	 * @param what what the file should be, for the message ({@code a libtorch build-version})
	 * @throws ModelSetupException when the file is larger, naming it, its size and the limit
	 */
	public static byte[] read(Path file, int limit, String what) throws IOException {
		long size = Files.size(file);
		if (size > limit) throw tooLarge(file.toString(), size, limit, what);
		try (InputStream in = Files.newInputStream(file)) {
			return read(in, file.toString(), limit, what);
		}
	}

	/** The bytes of a stream (a zip entry, whose declared size may be missing or wrong), at most {@code limit} of them. */
	public static byte[] read(InputStream in, String where, int limit, String what) throws IOException {
		byte[] b = in.readNBytes(limit + 1);
		if (b.length > limit) throw tooLarge(where, -1, limit, what);
		return b;
	}

	/** {@link #read} as UTF-8 text, trimmed. */
	public static String string(Path file, int limit, String what) throws IOException {
		return new String(read(file, limit, what), StandardCharsets.UTF_8).trim();
	}

	/** A properties file (ISO-8859-1 escapes, as {@link Properties#load(InputStream)}) of at most {@value #MANIFEST_LIMIT} bytes. */
	public static Properties properties(Path file, String what) throws IOException {
		Properties p = new Properties();
		p.load(new ByteArrayInputStream(read(file, MANIFEST_LIMIT, what)));
		return p;
	}

	private static ModelSetupException tooLarge(String where, long size, int limit, String what) {
		String has = size >= 0 ? "is " + RuntimeInstaller.gb(size) : "is larger than " + kib(limit);
		return new ModelSetupException(where + " " + has + "; " + what + " is at most " + kib(limit) + ", so this is not one (a damaged file, "
			+ "or another file under that name). Replace or remove it");
	}

	private static String kib(int bytes) {
		return bytes >= 1 << 20 ? String.format(Locale.ROOT, "%d MiB", bytes >> 20) : String.format(Locale.ROOT, "%d KiB", bytes >> 10);
	}
}
