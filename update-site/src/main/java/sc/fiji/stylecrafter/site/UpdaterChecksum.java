package sc.fiji.stylecrafter.site;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * The checksum the ImageJ updater gives a file, computed as its {@code UpdaterUtil.getDigest} does (imagej-updater,
 * read for this): SHA-1, hex. Our own code because the updater is not on Maven Central and parity is the point: a
 * checksum that differs by one byte makes Fiji show the file as locally modified forever.
 * <ul>
 * <li>A {@code .jar}: its entries sorted by name; for each, the name's ASCII bytes, then its content, where a
 * {@code .properties} entry loses its comment lines (Maven writes the build date into one) and
 * {@code META-INF/MANIFEST.MF} keeps only its {@code Main-Class} lines, compared as the updater compares them: the
 * upper-cased line against {@code "Main-Class:"}, which never matches, so a manifest contributes its name only.</li>
 * <li>Any other file: the ASCII bytes of its path relative to the Fiji folder, then its content.</li>
 * </ul>
 */
public final class UpdaterChecksum {

	private UpdaterChecksum() {}

	/** The checksum of {@code file}, to be installed at {@code path} (relative, with {@code /}). */
	public static String of(String path, Path file) throws IOException {
		MessageDigest sha1 = sha1();
		if (path.endsWith(".jar")) {
			try (JarFile jar = new JarFile(file.toFile(), false)) {
				List<JarEntry> entries = Collections.list(jar.entries());
				entries.sort(Comparator.comparing(JarEntry::getName));
				for (JarEntry e : entries) {
					sha1.update(e.getName().getBytes(StandardCharsets.US_ASCII));
					try (InputStream in = jar.getInputStream(e)) {
						byte[] content = in.readAllBytes();
						if (e.getName().endsWith(".properties")) content = withoutHashedLines(content);
						if (e.getName().equals("META-INF/MANIFEST.MF")) content = manifestAsHashed(content);
						sha1.update(content);
					}
				}
			}
		}
		else {
			sha1.update(path.getBytes(StandardCharsets.US_ASCII));
			sha1.update(Files.readAllBytes(file));
		}
		return HexFormat.of().formatHex(sha1.digest());
	}

	private static MessageDigest sha1() {
		try {
			return MessageDigest.getInstance("SHA-1");
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("this Java has no SHA-1", e);
		}
	}

	/** What the updater keeps of a manifest: lines whose upper-cased form starts with "Main-Class:", i.e. none. */
	static byte[] manifestAsHashed(byte[] manifest) {
		StringBuilder kept = new StringBuilder();
		for (String line : new String(manifest, java.nio.charset.Charset.defaultCharset()).split("\r\n|\r|\n")) {
			if (line.toUpperCase(java.util.Locale.ROOT).startsWith("Main-Class:")) kept.append(line).append('\n');
		}
		return kept.toString().getBytes(java.nio.charset.Charset.defaultCharset());
	}

	/**
	 * A {@code .properties} file as the updater's filter reads it: a {@code #} at the start of a line drops the rest
	 * of the line but not its newline; the filter's own state machine is reproduced, including its quirk that the
	 * character after a dropped comment's newline is not taken as the start of a line when the comment was empty.
	 */
	static byte[] withoutHashedLines(byte[] in) {
		ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
		int[] pos = { 0 };
		boolean[] atLineStart = { true };
		for (int ch; (ch = filteredRead(in, pos, atLineStart)) >= 0;) out.write(ch);
		return out.toByteArray();
	}

	private static int filteredRead(byte[] in, int[] pos, boolean[] atLineStart) {
		int ch = pos[0] < in.length ? in[pos[0]++] & 0xFF : -1;
		if (atLineStart[0]) {
			if (ch == '#') {
				do {
					ch = filteredRead(in, pos, atLineStart);
				} while (ch != '\n' && ch != -1);
			}
			else {
				atLineStart[0] = false;
			}
		}
		else if (ch == '\n') {
			atLineStart[0] = true;
		}
		return ch;
	}
}
