package sc.fiji.stylecrafter.engine.install;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * A libtorch installed by {@link RuntimeInstaller}: {@code lib/} with the libraries, {@code djl/} the engine cache DJL
 * takes its JNI from, and {@value #MANIFEST} listing every file with its size, written last. A folder without the
 * manifest, or whose files do not match it, is not an installed runtime and is never selected.
 *
 * @param dir the runtime's folder
 * @param version libtorch version ({@code 2.7.1})
 * @param flavor {@code cu128}, {@code cpu}
 * @param classifier the platform ({@code linux-x86_64})
 * @param source where it was installed from (an address or a path)
 * @param sha256 the SHA-256 of the zip it came from, or {@code -} for a folder
 * @param files every file under {@code dir} (relative path with '/') and its size
 */
public record InstalledRuntime(Path dir, String version, String flavor, String classifier, String source, String sha256, Map<String, Long> files) {

	public static final String MANIFEST = "runtime.properties";
	public static final String LIB = "lib";
	public static final String ENGINE_CACHE = "djl";

	/** The folder name of a runtime: {@code libtorch-2.7.1-cu128-linux-x86_64}. */
	public static String folderName(String version, String flavor, String classifier) {
		return "libtorch-" + version + "-" + flavor + "-" + classifier;
	}

	public Path libDir() {
		return dir.resolve(LIB);
	}

	/** The folder DJL is told to use as its engine cache ({@code ENGINE_CACHE_DIR}); the JNI lies under it. */
	public Path engineCacheDir() {
		return dir.resolve(ENGINE_CACHE);
	}

	public boolean isCuda() {
		return isCudaFlavor(flavor);
	}

	/** Whether a libtorch flavour ({@code cu128}, {@code cpu}, ...) is a CUDA build. */
	public static boolean isCudaFlavor(String flavor) {
		return flavor.startsWith("cu");
	}

	public long totalBytes() {
		return files.values().stream().mapToLong(Long::longValue).sum();
	}

	/** Writes the manifest (the last step of an install). */
	void writeManifest() throws IOException {
		Properties p = new Properties();
		p.setProperty("version", version);
		p.setProperty("flavor", flavor);
		p.setProperty("classifier", classifier);
		p.setProperty("source", source);
		p.setProperty("sha256", sha256);
		p.setProperty("files", String.valueOf(files.size()));
		int i = 0;
		for (Map.Entry<String, Long> e : new TreeMap<>(files).entrySet()) {
			p.setProperty("file." + i, e.getKey());
			p.setProperty("size." + i, String.valueOf(e.getValue()));
			i++;
		}
		Path tmp = dir.resolve(MANIFEST + ".tmp");
		try (OutputStream out = Files.newOutputStream(tmp)) {
			p.store(out, "StyleCrafter GPU runtime; delete this folder to remove it");
		}
		Files.move(tmp, dir.resolve(MANIFEST), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
	}

	/** Reads a runtime folder: the runtime, or why the folder is not a complete one. */
	public static Check read(Path dir) {
		Path manifest = dir.resolve(MANIFEST);
		if (!Files.isRegularFile(manifest)) return new Check(null, dir + " is not a complete runtime (no " + MANIFEST + "; an install did not finish)");
		Properties p = new Properties();
		try (InputStream in = Files.newInputStream(manifest)) {
			p.load(in);
		}
		catch (IOException | IllegalArgumentException e) {
			return new Check(null, manifest + " cannot be read: " + e.getMessage());
		}
		try {
			int n = Integer.parseInt(p.getProperty("files", "-1"));
			if (n <= 0) return new Check(null, manifest + " lists no files");
			Map<String, Long> files = new LinkedHashMap<>();
			for (int i = 0; i < n; i++) {
				String name = p.getProperty("file." + i);
				long size = Long.parseLong(p.getProperty("size." + i, "-1"));
				if (name == null || size < 0 || name.contains("..")) return new Check(null, manifest + ": entry " + i + " is damaged");
				Path f = dir.resolve(name);
				if (!Files.isRegularFile(f)) return new Check(null, dir + " is damaged: " + name + " is missing; install the runtime again");
				if (Files.size(f) != size) {
					return new Check(null, dir + " is damaged: " + name + " has " + Files.size(f) + " bytes, not " + size + "; install the runtime again");
				}
				files.put(name, size);
			}
			String version = p.getProperty("version"), flavor = p.getProperty("flavor"), classifier = p.getProperty("classifier");
			if (version == null || flavor == null || classifier == null) return new Check(null, manifest + " does not say version, flavor and platform");
			return new Check(new InstalledRuntime(dir, version, flavor, classifier, p.getProperty("source", "?"), p.getProperty("sha256", "-"), files), null);
		}
		catch (NumberFormatException | IOException e) {
			return new Check(null, manifest + " is damaged: " + e.getMessage());
		}
	}

	/** A runtime folder read: the runtime, or the problem. */
	public record Check(InstalledRuntime runtime, String problem) {

		public boolean ok() {
			return runtime != null;
		}
	}
}
