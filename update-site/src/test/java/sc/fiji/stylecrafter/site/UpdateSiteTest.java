package sc.fiji.stylecrafter.site;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The site built from the real runtime jars, read back and checked against its files, independently of the builder. */
class UpdateSiteTest {

	static final long TS = 20261125120000L;

	@TempDir
	static Path tmp;

	static Path site;
	static List<SiteDb.Record> records;

	@BeforeAll
	static void build() throws IOException {
		site = tmp.resolve("site");
		UpdateSiteBuilder.build(SiteInput.folder(), site, TS, null);
		try (InputStream in = new GZIPInputStream(Files.newInputStream(site.resolve(SiteDb.FILE_NAME)))) {
			records = SiteDb.read(in, true); // validating: the index follows the updater's document type
		}
	}

	/**
	 * The updater's jar checksum, written again in another way for this test: entries read with a ZipInputStream and
	 * sorted in a TreeMap, comment lines of .properties dropped line by line (for files without empty comment lines,
	 * where the updater's filter has a quirk that {@link UpdaterChecksumTest} checks), the manifest's content left out.
	 */
	static String independentJarChecksum(Path jar) throws Exception {
		TreeMap<String, byte[]> entries = new TreeMap<>();
		try (ZipInputStream z = new ZipInputStream(Files.newInputStream(jar))) {
			for (ZipEntry e; (e = z.getNextEntry()) != null;) entries.put(e.getName(), z.readAllBytes());
		}
		MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
		entries.forEach((name, content) -> {
			sha1.update(name.getBytes(StandardCharsets.US_ASCII));
			if (name.equals("META-INF/MANIFEST.MF")) return;
			if (name.endsWith(".properties")) {
				String text = new String(content, StandardCharsets.ISO_8859_1);
				StringBuilder kept = new StringBuilder();
				for (String line : text.split("(?<=\n)")) kept.append(line.startsWith("#") ? (line.endsWith("\n") ? "\n" : "") : line);
				content = kept.toString().getBytes(StandardCharsets.ISO_8859_1);
			}
			sha1.update(content);
		});
		return HexFormat.of().formatHex(sha1.digest());
	}

	@Test
	void everyRecordMatchesItsStoredFile() throws Exception {
		assertFalse(records.isEmpty());
		Set<Path> described = new HashSet<>();
		for (SiteDb.Record r : records) {
			assertNotNull(r.current(), r.filename() + ": a first release has no obsolete records");
			Path stored = site.resolve(r.filename() + "-" + r.current().timestamp());
			assertTrue(Files.isRegularFile(stored), "missing " + stored);
			described.add(stored);
			assertEquals(Files.size(stored), r.current().filesize(), r.filename());
			assertEquals(TS, r.current().timestamp());
			assertEquals(independentJarChecksum(stored), r.current().checksum(), r.filename());
			assertEquals(UpdaterChecksum.of(r.filename(), stored), r.current().checksum());
			assertFalse(r.authors().isEmpty());
			assertNotNull(r.description());
		}
		try (Stream<Path> files = Files.walk(site)) {
			Set<Path> all = new HashSet<>(files.filter(Files::isRegularFile).toList());
			all.remove(site.resolve(SiteDb.FILE_NAME));
			assertEquals(described, all, "every stored file is in the index, and nothing else is on the site");
		}
	}

	@Test
	void platformsAndNamesFollowTheUpdatersRules() {
		Set<String> keys = new HashSet<>();
		for (SiteDb.Record r : records) {
			assertTrue(keys.add(r.key()), "two records share the updater's name " + r.key());
			String[] parts = r.filename().split("/");
			if (r.platforms().isEmpty()) assertEquals(2, parts.length, r.filename() + " has no platform but lies in a subfolder");
			else {
				assertEquals(List.of(parts[1]), r.platforms(), r.filename() + " lies outside its platform folder");
				assertTrue(SiteLayout.PLATFORMS.containsValue(parts[1]));
			}
			assertFalse(r.key().equals("jars/api.jar") || r.key().equals("jars/gson.jar") || r.key().startsWith("jars/scijava"), r.key());
		}
		assertTrue(keys.contains("plugins/stylecrafter-plugin.jar"), keys.toString());
		assertTrue(keys.contains("jars/djl-api.jar"), keys.toString());
		for (String p : List.of("linux64", "win64", "macos-arm64", "linux-arm64")) {
			assertTrue(keys.contains("jars/" + p + "/djl-pytorch-native-cpu.jar"), p + ": libtorch");
		}
		for (String p : List.of("linux64", "win64", "macos-arm64", "macos64", "linux-arm64")) {
			assertTrue(keys.contains("jars/" + p + "/ffmpeg.jar") && keys.contains("jars/" + p + "/javacpp.jar"), p + ": FFmpeg and JavaCPP");
		}
	}

	@Test
	void fijisOwnJarsAreNotShipped() throws IOException {
		try (Stream<Path> files = Files.walk(SiteInput.folder())) {
			for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".jar"))::iterator) {
				Artifact a = Artifact.at(SiteInput.folder(), f);
				boolean shipped = records.stream().anyMatch(r -> r.description().contains(a.toString()) || r.filename().startsWith("plugins/"));
				if (SiteLayout.providedByFiji(a)) {
					assertTrue(records.stream().noneMatch(r -> r.description() != null && r.description().contains(a.toString())), a + " is Fiji's");
				}
				else assertTrue(shipped, a + " is not on the site");
			}
		}
	}

	@Test
	void aSecondBuildOfTheSameJarsChangesNothing() throws IOException {
		Path again = tmp.resolve("again");
		List<SiteDb.Record> second = UpdateSiteBuilder.build(SiteInput.folder(), again, TS + 100, site.resolve(SiteDb.FILE_NAME));
		assertEquals(records, second, "unchanged files keep their timestamps and gain no previous versions");
		assertNull(second.stream().filter(r -> r.current() == null).findAny().orElse(null));
		assertArrayEquals(Files.readAllBytes(site.resolve(records.get(0).filename() + "-" + TS)),
			Files.readAllBytes(again.resolve(records.get(0).filename() + "-" + TS)));
	}
}
