package sc.fiji.stylecrafter.engine.install;

import java.io.IOException;
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
 * manifest, or whose files do not match it, is not an installed runtime and is never selected. The manifest also keeps the
 * verdict of the load check ({@link LoadCheck}, at install) or of a start that failed to load it: a runtime known not to
 * load, or whose libraries are not for this platform ({@link LibraryHeaders}), is read but not usable.
 *
 * @param dir the runtime's folder
 * @param version libtorch version ({@code 2.7.1})
 * @param flavor {@code cu128}, {@code cpu}
 * @param classifier the platform ({@code linux-x86_64})
 * @param source where it was installed from (an address or a path)
 * @param sha256 the SHA-256 of the zip it came from, or {@code -} for a folder
 * @param files every file under {@code dir} (relative path with '/') and its size
 * @param loadCheck {@code ok} (it loaded in a separate process at install), {@code failed: MESSAGE} (it did not load),
 *        or empty (installed before load checks)
 */
public record InstalledRuntime(Path dir, String version, String flavor, String classifier, String source, String sha256, Map<String, Long> files,
	String loadCheck)
{

	public static final String MANIFEST = "runtime.properties";
	public static final String LIB = "lib";
	public static final String ENGINE_CACHE = "djl";
	/** The {@link #loadCheck} of a runtime that loaded in the install's check. */
	public static final String LOADED = "ok";
	/** How a failed {@link #loadCheck} starts. */
	public static final String FAILED = "failed: ";

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
		if (!loadCheck.isEmpty()) p.setProperty("loadCheck", loadCheck);
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

	/**
	 * Remembers that this runtime failed to load (a start of StyleCrafter found it so), so that later starts use the CPU
	 * libtorch without trying it again; rewrites the manifest.
	 */
	public void recordLoadFailure(String message) throws IOException {
		new InstalledRuntime(dir, version, flavor, classifier, source, sha256, files, FAILED + message.replace('\n', ' ')).writeManifest();
	}

	/** Whether {@code dir} holds a manifest the installer wrote (readable, with its keys), whatever state the files are in. */
	public static boolean isOurs(Path dir) {
		Path manifest = dir.resolve(MANIFEST);
		if (!Files.isRegularFile(manifest)) return false;
		try {
			Properties p = SmallText.properties(manifest, "a runtime manifest");
			return p.getProperty("version") != null && p.getProperty("flavor") != null && p.getProperty("classifier") != null && p.getProperty("files") != null;
		}
		catch (IOException | IllegalArgumentException e) {
			return false;
		}
	}

	/**
	 * Reads a runtime folder: the runtime, or why the folder is not a complete one; for a complete runtime that cannot be
	 * loaded (its recorded verdict, or libraries for another platform), both.
	 */
	public static Check read(Path dir) {
		Path manifest = dir.resolve(MANIFEST);
		if (!Files.isRegularFile(manifest)) return new Check(null, dir + " is not a complete runtime (no " + MANIFEST + "; an install did not finish)");
		Properties p;
		try {
			p = SmallText.properties(manifest, "a runtime manifest");
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
			InstalledRuntime r = new InstalledRuntime(dir, version, flavor, classifier, p.getProperty("source", "?"), p.getProperty("sha256", "-"), files,
				p.getProperty("loadCheck", ""));
			if (r.loadCheck().startsWith(FAILED)) {
				return new Check(r, dir + " cannot be loaded (" + r.loadCheck().substring(FAILED.length()) + ")");
			}
			String headers = LibraryHeaders.problem(r.libDir(), classifier);
			if (headers != null) return new Check(r, dir + " cannot be loaded: " + InstalledRuntime.LIB + "/" + headers);
			return new Check(r, null);
		}
		catch (NumberFormatException | IOException e) {
			return new Check(null, manifest + " is damaged: " + e.getMessage());
		}
	}

	/**
	 * A runtime folder read.
	 *
	 * @param runtime the runtime its manifest describes, or {@code null} when it is not a complete one
	 * @param problem why it cannot be used, or {@code null}
	 */
	public record Check(InstalledRuntime runtime, String problem) {

		/** Complete and usable. */
		public boolean ok() {
			return runtime != null && problem == null;
		}

		/** Complete (its files match the manifest) but it cannot be loaded. */
		public boolean unloadable() {
			return runtime != null && problem != null;
		}
	}
}
