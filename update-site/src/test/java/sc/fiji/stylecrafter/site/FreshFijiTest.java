package sc.fiji.stylecrafter.site;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Fiji.app made from the update site alone, as the updater installs it on linux64, over the jars a stock Fiji
 * ships (Fiji's own, as this build resolves them from pom-scijava 40): a new JVM whose class path is exactly that
 * app's {@code jars/}, {@code jars/linux64/} and {@code plugins/} (and the one test class that drives it) runs both
 * generation commands on the tiny model. That no jar is missing is the run itself; that none is extra is checked from
 * the JVM's class loading log (every shipped jar gave classes) and, for the jars of native libraries, which hold no
 * classes, from their extraction into empty caches (DJL's offline, JavaCPP's); the video command also saves an MP4,
 * so JavaCV and FFmpeg are used too.
 */
class FreshFijiTest {

	static final String PLATFORM = "linux64";

	@TempDir
	Path tmp;

	@Test
	void bothCommandsRunInAFijiMadeFromTheSite() throws Exception {
		Assumptions.assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux") && System.getProperty("os.arch").contains("64")
			&& !System.getProperty("os.arch").contains("aarch"), "the fresh Fiji is laid out for linux64");
		String golden = System.getProperty("stylecrafter.golden", "");
		Assumptions.assumeTrue(!golden.isBlank() && Files.isDirectory(Path.of(golden)), "skipped: set -Dstylecrafter.golden");
		Path site = tmp.resolve("site");
		List<SiteDb.Record> records = UpdateSiteBuilder.build(SiteInput.folder(), site, UpdateSiteTest.TS, null);
		Path app = tmp.resolve("Fiji.app");
		List<Path> shipped = new ArrayList<>();
		for (SiteDb.Record r : records) { // what the updater installs on linux64
			if (r.current() == null || !(r.platforms().isEmpty() || r.platforms().contains(PLATFORM))) continue;
			Path target = app.resolve(r.filename());
			Files.createDirectories(target.getParent());
			Files.copy(site.resolve(r.filename() + "-" + r.current().timestamp()), target);
			shipped.add(target);
		}
		try (Stream<Path> files = Files.walk(SiteInput.folder())) { // the stock Fiji underneath
			for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".jar"))::iterator) {
				Artifact a = Artifact.at(SiteInput.folder(), f);
				if (SiteLayout.providedByFiji(a)) Files.copy(f, Files.createDirectories(app.resolve("jars")).resolve(f.getFileName()));
			}
		}
		String cp = String.join(File.pathSeparator, app.resolve("jars") + "/*", app.resolve("jars/" + PLATFORM) + "/*", app.resolve("plugins") + "/*",
			harnessClasses().toString());
		Path classLog = tmp.resolve("classes.log");
		Path djlCache = Files.createDirectories(tmp.resolve("djl-cache"));
		Path javacppCache = Files.createDirectories(tmp.resolve("javacpp-cache"));
		sc.fiji.stylecrafter.pipeline.GenerationSettings quick = sc.fiji.stylecrafter.testing.GoldenRuns.imageSingle().settings();
		String prompt = sc.fiji.stylecrafter.testing.GoldenRuns.videoSingle().prompt();
		Path mp4 = tmp.resolve("fresh.mp4");
		ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx2g", "-Djava.awt.headless=true",
			"-Dai.djl.offline=true", "-Dorg.bytedeco.javacpp.cachedir=" + javacppCache, "-Djava.util.prefs.userRoot=" + tmp.resolve("prefs"),
			"-Xlog:class+load=info:file=" + classLog, "-cp", cp, FreshFijiRun.class.getName(), golden, prompt, "" + quick.width(), "" + quick.height(),
			mp4.toString());
		pb.environment().put("DJL_CACHE_DIR", djlCache.toString());
		pb.environment().put("ENGINE_CACHE_DIR", djlCache.toString());
		pb.redirectErrorStream(true);
		Path output = tmp.resolve("run.log");
		pb.redirectOutput(output.toFile());
		Process p = pb.start();
		boolean done = p.waitFor(5, TimeUnit.MINUTES);
		if (!done) p.destroyForcibly();
		String log = Files.readString(output, StandardCharsets.UTF_8);
		assertTrue(done, "the fresh Fiji did not finish in 5 minutes:\n" + log);
		assertEquals(0, p.exitValue(), log);
		String size = quick.width() + "x" + quick.height();
		assertTrue(log.contains("video " + size + "x2 24-bit") && log.contains("image " + size + "x1 24-bit") && log.contains("FRESH FIJI OK"), log);
		assertEquals(2, sc.fiji.stylecrafter.video.VideoReader.all(mp4).size(), "the MP4 the fresh Fiji saved decodes");

		Set<String> used = new TreeSet<>();
		Matcher m = Pattern.compile("source: (?:jar:)?file:([^ !]+\\.jar)").matcher(Files.readString(classLog, StandardCharsets.UTF_8));
		while (m.find()) used.add(Path.of(m.group(1)).getFileName().toString());
		List<String> extracted = new ArrayList<>();
		for (Path cache : List.of(djlCache, javacppCache)) {
			try (Stream<Path> files = Files.walk(cache)) {
				files.forEach(f -> extracted.add(f.getFileName().toString()));
			}
		}
		for (Path jar : shipped) {
			String name = jar.getFileName().toString();
			List<String> natives = nativeLibraries(jar);
			if (natives == null) assertTrue(used.contains(name), name + " is shipped but no class was loaded from it: " + used);
			else {
				// a jar of native libraries only (libtorch, DJL's JNI, FFmpeg, JavaCPP): one of them must have been extracted, offline,
				// into an empty cache (DJL's or JavaCPP's)
				assertTrue(natives.stream().anyMatch(lib -> extracted.stream().anyMatch(e -> e.endsWith(lib))),
					name + " is shipped but none of its libraries " + natives + " was extracted: " + extracted);
			}
		}
	}

	/** The linux64 native library names in a jar without classes, or {@code null} if it has classes. */
	private static List<String> nativeLibraries(Path jar) throws IOException {
		List<String> libs = new ArrayList<>();
		try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(jar.toFile())) {
			for (var e : java.util.Collections.list(z.entries())) {
				if (e.getName().endsWith(".class")) return null;
				boolean lib = e.getName().endsWith(".so") || e.getName().contains(".so.");
				boolean linux64 = e.getName().contains("linux-x86_64/cpu") || e.getName().contains("cpu/linux-x86_64/")
					|| e.getName().contains("/linux-x86_64/") && !e.getName().contains("cu128");
				if (lib && linux64) libs.add(Path.of(e.getName()).getFileName().toString());
			}
		}
		return libs;
	}

	/** This module's compiled test classes (only the driver is loaded from them). */
	private static Path harnessClasses() throws IOException {
		try {
			return Path.of(FreshFijiRun.class.getProtectionDomain().getCodeSource().getLocation().toURI());
		}
		catch (java.net.URISyntaxException e) {
			throw new IOException(e);
		}
	}
}
