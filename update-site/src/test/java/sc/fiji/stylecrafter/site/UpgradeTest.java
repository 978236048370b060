package sc.fiji.stylecrafter.site;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second release replaces the first in an installed Fiji: the new index lists the old files' checksums as previous
 * versions and keeps files no longer shipped as obsolete records. The updater's decisions are modelled here as its
 * code makes them (a local file whose checksum is the current one is up to date, one whose checksum is a previous
 * version's is updated, and a file whose record has no current version is removed), and applied to a Fiji installed
 * from release 1; the result must equal a fresh install of release 2, with no stale jar left.
 */
class UpgradeTest {

	@TempDir
	Path tmp;

	private static void jar(Path deps, String group, String artifact, String version, String content) throws IOException {
		Path dir = deps.resolve(group.replace('.', '/')).resolve(artifact).resolve(version);
		Files.createDirectories(dir);
		try (OutputStream os = Files.newOutputStream(dir.resolve(artifact + "-" + version + ".jar")); JarOutputStream j = new JarOutputStream(os)) {
			j.putNextEntry(new ZipEntry(artifact.replace('-', '/') + "/Main.class"));
			j.write(content.getBytes(StandardCharsets.UTF_8));
			j.closeEntry();
		}
	}

	/** Installs what a site's index lists as current (all platforms: the model is the same for each). */
	private static void installFresh(Path site, Path app) throws IOException {
		for (SiteDb.Record r : SiteDb.read(site.resolve(SiteDb.FILE_NAME))) {
			if (r.current() == null) continue;
			Path t = app.resolve(r.filename());
			Files.createDirectories(t.getParent());
			Files.copy(site.resolve(r.filename() + "-" + r.current().timestamp()), t);
		}
	}

	/** The updater's decision for each record, applied to an installed app. */
	private static Map<String, String> update(Path site, Path app) throws IOException {
		Map<String, Path> local = new HashMap<>(); // key (name without version) -> installed file
		try (Stream<Path> files = Files.walk(app)) {
			for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
				local.put(SiteDb.key(app.relativize(f).toString()), f);
			}
		}
		Map<String, String> actions = new HashMap<>();
		for (SiteDb.Record r : SiteDb.read(site.resolve(SiteDb.FILE_NAME))) {
			Path installed = local.get(r.key());
			String localSum = installed == null ? null : UpdaterChecksum.of(app.relativize(installed).toString(), installed);
			if (r.current() == null) {
				if (installed != null && r.previous().stream().anyMatch(p -> p.checksum().equals(localSum))) {
					Files.delete(installed);
					actions.put(r.key(), "uninstall obsolete");
				}
			}
			else if (installed == null) {
				install(site, app, r);
				actions.put(r.key(), "install new");
			}
			else if (!r.current().checksum().equals(localSum)) {
				assertTrue(r.previous().stream().anyMatch(p -> p.checksum().equals(localSum)),
					r.key() + ": the installed file would show as locally modified, not as an update");
				Files.delete(installed);
				install(site, app, r);
				actions.put(r.key(), "update");
			}
			else actions.put(r.key(), "up to date");
		}
		return actions;
	}

	private static void install(Path site, Path app, SiteDb.Record r) throws IOException {
		Path t = app.resolve(r.filename());
		Files.createDirectories(t.getParent());
		Files.copy(site.resolve(r.filename() + "-" + r.current().timestamp()), t);
	}

	private static Set<String> tree(Path app) throws IOException {
		try (Stream<Path> files = Files.walk(app)) {
			return files.filter(Files::isRegularFile).map(f -> app.relativize(f).toString()).collect(Collectors.toCollection(TreeSet::new));
		}
	}

	@Test
	void aNewReleaseReplacesTheOldFilesAndRemovesDroppedOnes() throws IOException {
		Path v1 = tmp.resolve("deps1"), v2 = tmp.resolve("deps2");
		jar(v1, "sc.fiji", "stylecrafter-plugin", "0.1.0", "plugin one");
		jar(v1, "sc.fiji", "stylecrafter-model-bundle", "0.1.0", "bundle");
		jar(v1, "ai.djl", "api", "0.35.0", "djl old");
		jar(v1, "org.example", "dropped-lib", "1.0", "gone in 0.2");
		jar(v1, "com.google.code.gson", "gson", "2.10.1", "Fiji's own");
		jar(v2, "sc.fiji", "stylecrafter-plugin", "0.2.0", "plugin two");
		jar(v2, "sc.fiji", "stylecrafter-model-bundle", "0.1.0", "bundle"); // unchanged
		jar(v2, "ai.djl", "api", "0.36.0", "djl new");
		jar(v2, "org.example", "added-lib", "1.0", "new in 0.2");
		Path site1 = tmp.resolve("site1"), site2 = tmp.resolve("site2");
		UpdateSiteBuilder.build(v1, site1, 20260101000000L, null);
		List<SiteDb.Record> r2 = UpdateSiteBuilder.build(v2, site2, 20260201000000L, site1.resolve(SiteDb.FILE_NAME));

		Map<String, SiteDb.Record> byKey = r2.stream().collect(Collectors.toMap(SiteDb.Record::key, r -> r));
		SiteDb.Record plugin = byKey.get("plugins/stylecrafter-plugin.jar");
		assertEquals("plugins/stylecrafter-plugin-0.2.0.jar", plugin.filename());
		assertEquals("plugins/stylecrafter-plugin-0.1.0.jar", plugin.previous().get(0).filename());
		assertEquals(20260201000000L, plugin.previous().get(0).timestampObsolete());
		SiteDb.Record bundle = byKey.get("jars/stylecrafter-model-bundle.jar");
		assertEquals(20260101000000L, bundle.current().timestamp(), "an unchanged file keeps its timestamp");
		assertTrue(bundle.previous().isEmpty());
		SiteDb.Record dropped = byKey.get("jars/dropped-lib.jar");
		assertNull(dropped.current(), "a dropped file stays as an obsolete record");
		assertEquals(1, dropped.previous().size());
		assertNotNull(byKey.get("jars/djl-api.jar"));
		assertNull(byKey.get("jars/gson.jar"), "Fiji's own jars are never on the site");

		Path app = tmp.resolve("Fiji.app");
		installFresh(site1, app);
		Map<String, String> actions = update(site2, app);
		assertEquals(Map.of("plugins/stylecrafter-plugin.jar", "update", "jars/stylecrafter-model-bundle.jar", "up to date", "jars/djl-api.jar", "update",
			"jars/dropped-lib.jar", "uninstall obsolete", "jars/added-lib.jar", "install new"), actions);
		Path fresh = tmp.resolve("Fresh.app");
		installFresh(site2, fresh);
		assertEquals(tree(fresh), tree(app), "after the update the app holds exactly release 2: no stale jar");

		// a third release from the second's index keeps the whole history
		Path site3 = tmp.resolve("site3");
		List<SiteDb.Record> r3 = UpdateSiteBuilder.build(v2, site3, 20260301000000L, site2.resolve(SiteDb.FILE_NAME));
		assertEquals(r2, r3);
	}
}
