package sc.fiji.stylecrafter.site;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes a complete Fiji update site folder: every shipped jar stored as {@code <path>-<timestamp>}, as the updater
 * downloads it, and {@code db.xml.gz}. Given the index of the release before (the live site's {@code db.xml.gz}),
 * it carries the history over: an unchanged file keeps its timestamp, a changed one (a new version, under a new
 * versioned name too) lists the old one as a previous version, so an installed old file is offered as an update and
 * replaced, and a file no longer shipped stays as an obsolete record, so the updater removes it instead of leaving a
 * stale jar on the class path.
 */
public final class UpdateSiteBuilder {

	/** The updater's timestamps: local date and time, to the second. */
	static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");

	static final String PLUGIN_DESCRIPTION = "StyleCrafter for Fiji: style-guided text-to-video and text-to-image generation "
		+ "(Plugins > StyleCrafter), running the StyleCrafter method in Java with PyTorch's libtorch.";
	static final String AUTHOR = "StyleCrafter for Fiji developers";

	private UpdateSiteBuilder() {}

	/** {@code --deps=DIR --out=DIR [--timestamp=yyyyMMddHHmmss] [--previous=db.xml.gz]}; empty values are left out. */
	public static void main(String[] args) throws IOException {
		Map<String, String> o = new LinkedHashMap<>();
		for (String a : args) {
			int eq = a.indexOf('=');
			if (!a.startsWith("--") || eq < 0) throw new IllegalArgumentException("argument '" + a + "' is not --name=value");
			o.put(a.substring(0, eq), a.substring(eq + 1));
		}
		if (!o.containsKey("--deps") || !o.containsKey("--out")) {
			throw new IllegalArgumentException("usage: --deps=DIR --out=DIR [--timestamp=yyyyMMddHHmmss] [--previous=db.xml.gz]");
		}
		String ts = o.getOrDefault("--timestamp", "");
		String prev = o.getOrDefault("--previous", "");
		List<SiteDb.Record> records = build(Path.of(o.get("--deps")), Path.of(o.get("--out")),
			ts.isBlank() ? now() : Long.parseLong(ts), prev.isBlank() ? null : Path.of(prev));
		System.out.println("update site written to " + o.get("--out") + ": " + records.stream().filter(r -> r.current() != null).count()
			+ " files, " + records.stream().filter(r -> r.current() == null).count() + " obsolete");
	}

	/** The updater's timestamp of this moment. */
	public static long now() {
		return Long.parseLong(LocalDateTime.now().format(TIMESTAMP));
	}

	/**
	 * Builds the site from the runtime jars under {@code deps} (Maven repository layout) into {@code out} (emptied
	 * first).
	 *
	 * @param previousDb the index of the release before, or {@code null} for a first release
	 * @return the records written
	 */
	public static List<SiteDb.Record> build(Path deps, Path out, long timestamp, Path previousDb) throws IOException {
		Map<String, SiteDb.Record> before = new LinkedHashMap<>();
		if (previousDb != null) for (SiteDb.Record r : SiteDb.read(previousDb)) before.put(r.key(), r);
		List<Artifact> shipped = new ArrayList<>();
		try (Stream<Path> files = Files.walk(deps)) {
			for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".jar")).sorted()::iterator) {
				Artifact a = Artifact.at(deps, f);
				if (!SiteLayout.providedByFiji(a)) shipped.add(a);
			}
		}
		if (shipped.stream().noneMatch(a -> a.artifactId().equals(SiteLayout.PLUGIN))) {
			throw new IOException(deps + " holds no " + SiteLayout.PLUGIN + " jar; build the plugin first");
		}
		emptyFolder(out);
		List<String> common = shipped.stream().filter(a -> SiteLayout.platform(a) == null && !a.artifactId().equals(SiteLayout.PLUGIN))
			.map(SiteLayout::path).sorted().toList();
		Map<String, SiteDb.Record> records = new java.util.TreeMap<>();
		for (Artifact a : shipped) {
			String path = SiteLayout.path(a);
			String checksum = UpdaterChecksum.of(path, a.file());
			String platform = SiteLayout.platform(a);
			boolean plugin = a.artifactId().equals(SiteLayout.PLUGIN);
			SiteDb.Record old = before.remove(SiteDb.key(path));
			List<SiteDb.Previous> previous = new ArrayList<>(old == null ? List.of() : old.previous());
			long ts = timestamp;
			if (old != null && old.current() != null) {
				if (old.current().checksum().equals(checksum) && old.filename().equals(path)) ts = old.current().timestamp();
				else previous.add(new SiteDb.Previous(old.current().checksum(), old.current().timestamp(), timestamp, old.filename()));
			}
			SiteDb.Record r = new SiteDb.Record(path, platform == null ? List.of() : List.of(platform),
				plugin ? PLUGIN_DESCRIPTION : "Used by StyleCrafter for Fiji: " + a + (platform == null ? "" : " (native libraries for " + platform + ")"),
				plugin ? common : List.of(), List.of(AUTHOR), new SiteDb.Version(checksum, ts, Files.size(a.file())), previous);
			if (records.put(r.key(), r) != null) throw new IOException("two jars would be installed as " + r.key() + ": rename one in SiteLayout");
			Path stored = out.resolve(path + "-" + ts);
			Files.createDirectories(stored.getParent());
			Files.copy(a.file(), stored);
		}
		for (SiteDb.Record old : before.values()) { // no longer shipped: obsolete, so the updater removes it
			List<SiteDb.Previous> previous = new ArrayList<>(old.previous());
			if (old.current() != null) previous.add(new SiteDb.Previous(old.current().checksum(), old.current().timestamp(), timestamp, old.filename()));
			// (description and authors belong to a current version in the format, so an obsolete record has none)
			records.put(old.key(), new SiteDb.Record(old.filename(), old.platforms(), null, List.of(), List.of(), null, previous));
		}
		List<SiteDb.Record> all = new ArrayList<>(records.values());
		SiteDb.write(out.resolve(SiteDb.FILE_NAME), all);
		return all;
	}

	private static void emptyFolder(Path out) throws IOException {
		if (Files.exists(out)) {
			try (Stream<Path> s = Files.walk(out)) {
				for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) Files.delete(p);
			}
		}
		Files.createDirectories(out);
	}
}
