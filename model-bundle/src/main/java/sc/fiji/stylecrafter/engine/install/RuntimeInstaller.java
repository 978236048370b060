package sc.fiji.stylecrafter.engine.install;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

import ai.djl.engine.Engine;
import sc.fiji.stylecrafter.download.DownloadCancelledException;
import sc.fiji.stylecrafter.download.Downloader;
import sc.fiji.stylecrafter.download.Licence;
import sc.fiji.stylecrafter.download.ModelFile;
import sc.fiji.stylecrafter.download.ModelSetupException;
import sc.fiji.stylecrafter.download.VerifiedFiles;
import sc.fiji.stylecrafter.task.CancellationToken;

/**
 * Installs a libtorch into the runtime folder so that DJL loads it instead of the CPU libtorch in the jar
 * ({@link RuntimeSelection}): from PyTorch's official zip (downloaded, resumable, SHA-256 checked against
 * {@link LibtorchArchive#OFFICIAL}), from such a zip the user has, or from an unpacked {@code libtorch} folder. The files
 * go into a hidden folder first; the libraries must be for this platform ({@link LibraryHeaders}) and must load in a
 * separate Java process ({@link LoadCheck}); the manifest is written last and the folder renamed only then, so a
 * half-finished install (cancelled, disk full, power cut) or one that cannot load is never selected. DJL's JNI for that
 * libtorch is copied from the {@code pytorch-jni} jar to where DJL looks for it. What the installer makes is recorded in
 * the runtime folder ({@link RuntimeFolder}), and {@link #remove} deletes only that. One install per runtime folder at a
 * time.
 */
public final class RuntimeInstaller {

	/** Environment variable naming the runtime folder. */
	public static final String FOLDER_ENV = "STYLECRAFTER_RUNTIME";
	/** Where downloads wait, inside the runtime folder. */
	public static final String DOWNLOADS = "downloads";
	/** An unpacked libtorch takes at most this many times its zip's size (the official zips: about 1.5). */
	static final double UNPACKED_PER_ZIP_BYTE = 2.5;
	/** Free space left on the disk beyond what the install needs. */
	static final long RESERVE_BYTES = 512L << 20;

	/** Told how an install goes: download progress (from {@link Downloader.Listener}) and the steps after it. */
	public interface Listener extends Downloader.Listener {

		/** A step after the download ({@code checking}, {@code unpacking}): bytes done of total. */
		default void step(String what, long done, long total) {}
	}

	private final Path root;
	private final List<LibtorchArchive> known;
	private final Downloader.DiskSpace disk;
	private final LoadCheck loadCheck;

	/** An installer whose runtimes are load-checked in a separate Java process ({@link ChildProcessLoadCheck}). */
	public RuntimeInstaller(Path root, List<LibtorchArchive> known, Downloader.DiskSpace disk) {
		this(root, known, disk, new ChildProcessLoadCheck(ChildProcessLoadCheck.DEFAULT_TIMEOUT));
	}

	/**
	 * @param root the runtime folder ({@link #defaultFolder()})
	 * @param known the zips this installer accepts ({@link LibtorchArchive#OFFICIAL}; tests give their own)
	 * @param disk free space of a folder's disk
	 * @param loadCheck loads a finished runtime before it is moved into place
	 */
	public RuntimeInstaller(Path root, List<LibtorchArchive> known, Downloader.DiskSpace disk, LoadCheck loadCheck) {
		this.root = root;
		this.known = List.copyOf(known);
		this.disk = disk;
		this.loadCheck = loadCheck;
	}

	/** System property naming the runtime folder (before {@value #FOLDER_ENV}). */
	public static final String FOLDER_PROPERTY = "stylecrafter.runtime.folder";

	/** {@code -Dstylecrafter.runtime.folder}, else {@code $STYLECRAFTER_RUNTIME}, else {@code ~/.stylecrafter/runtime}. */
	public static Path defaultFolder() {
		String prop = System.getProperty(FOLDER_PROPERTY);
		if (prop != null && !prop.isBlank()) return Path.of(prop);
		String env = System.getenv(FOLDER_ENV);
		if (env != null && !env.isBlank()) return Path.of(env);
		return Path.of(System.getProperty("user.home"), ".stylecrafter", "runtime");
	}

	public Path root() {
		return root;
	}

	/** The zips this installer accepts. */
	public List<LibtorchArchive> known() {
		return known;
	}

	/** The runtime folder an install for this platform goes to. */
	public Path target(String version, String flavor, String classifier) {
		return root.resolve(InstalledRuntime.folderName(version, flavor, classifier));
	}

	/**
	 * Downloads this platform's official zip (resuming a partial download) and installs it.
	 *
	 * @param keepZip keep the zip in {@code downloads/} after the install (it is deleted otherwise)
	 */
	public InstalledRuntime download(String classifier, Downloader downloader, boolean keepZip, Listener listener, CancellationToken cancel)
		throws IOException, InterruptedException
	{
		LibtorchArchive a = LibtorchArchive.forPlatform(known, classifier).orElseThrow(() -> new ModelSetupException(
			"there is no GPU runtime for " + classifier + " (PyTorch's CUDA builds exist for " + LibtorchArchive.platformsText(known)
				+ "); StyleCrafter runs on the CPU here"));
		try (Downloader.FolderLock lock = Downloader.lock(root)) {
			RuntimeFolder.record(root, null);
			Path downloads = root.resolve(DOWNLOADS);
			Files.createDirectories(downloads);
			long bytes = a.bytes();
			Path zip = downloads.resolve(a.fileName());
			if (!Files.isRegularFile(zip)) {
				if (bytes == 0) bytes = downloader.remoteSize(a.uri());
				if (bytes <= 0) throw new ModelSetupException(a.uri() + " does not say how big the file is; download it by hand and install it with --from");
				Path part = downloads.resolve(a.fileName() + ".part");
				long have = Files.isRegularFile(part) ? Files.size(part) : 0;
				requireSpace(downloads, Math.max(0, bytes - have) + (long) (bytes * UNPACKED_PER_ZIP_BYTE), "the download (" + gb(bytes) + ") and its unpacked files");
				ModelFile file = new ModelFile(a.fileName(), "PyTorch libtorch", a.version() + "+" + a.flavor(), a.uri().getPath(), bytes, a.sha256(), Licence.PYTORCH_CUDA);
				zip = downloader.download(file, a.uri(), downloads, listener, cancel);
			}
			else if (!VerifiedFiles.of(downloads).isVerified(a.fileName(), a.sha256())) { // a zip kept from an earlier install was hashed then
				String sha = hash(zip, listener, cancel);
				if (!sha.equals(a.sha256())) {
					throw new ModelSetupException(zip + " has SHA-256 " + sha + ", not " + a.sha256() + " (the official " + a.fileName()
						+ "); delete it and run the install again");
				}
			}
			InstalledRuntime r = unpackZip(zip, a, a.uri().toString(), listener, cancel);
			if (!keepZip) Files.deleteIfExists(zip);
			return r;
		}
	}

	/**
	 * Installs from a zip the user has (it must be one of the known official zips: its SHA-256 decides) or from an
	 * unpacked {@code libtorch} folder (its {@code build-version} says the version and flavor; it must be libtorch
	 * {@value LibtorchArchive#LIBTORCH_VERSION}).
	 */
	public InstalledRuntime from(Path source, String classifier, Listener listener, CancellationToken cancel) throws IOException, InterruptedException {
		if (!Files.exists(source)) throw new ModelSetupException(source + " does not exist; give the official libtorch zip or an unpacked libtorch folder");
		try (Downloader.FolderLock lock = Downloader.lock(root)) {
			RuntimeFolder.record(root, null);
			if (Files.isDirectory(source)) return copyFolder(source, classifier, listener, cancel);
			String sha = hash(source, listener, cancel);
			LibtorchArchive a = known.stream().filter(k -> k.sha256().equals(sha)).findFirst().orElseThrow(() -> new ModelSetupException(
				source + " is not an official libtorch zip this version of StyleCrafter knows (its SHA-256 is " + sha + "); known: "
					+ String.join("; ", known.stream().map(k -> k.fileName() + " for " + k.classifier() + " (SHA-256 " + k.sha256() + ")").toList())
					+ ". Another build can be installed from its unpacked folder."));
			if (!a.classifier().equals(classifier)) throw new ModelSetupException(source + " is " + a.fileName() + ", for " + a.classifier() + ", not for this " + classifier);
			return unpackZip(source, a, source.toAbsolutePath().toString(), listener, cancel);
		}
	}

	/**
	 * Deletes what the installer made in this folder ({@link RuntimeFolder#remove}): its runtimes, unfinished installs and
	 * downloads, never the user's files, which are listed as left. Once nothing is left, the folder itself goes too.
	 *
	 * @throws ModelSetupException when the folder is not a runtime folder (nothing is deleted)
	 */
	public RuntimeFolder.Removal remove() throws IOException {
		if (!Files.isDirectory(root)) return new RuntimeFolder.Removal(root, List.of(), List.of());
		if (!RuntimeFolder.isRuntimeFolder(root)) return RuntimeFolder.remove(root, known); // refuses before taking the lock (which creates a file)
		RuntimeFolder.Removal r;
		try (Downloader.FolderLock lock = Downloader.lock(root)) {
			r = RuntimeFolder.remove(root, known);
		}
		if (r.left().isEmpty()) {
			Files.deleteIfExists(root.resolve(Downloader.LOCK_FILE));
			try (Stream<Path> s = Files.list(root)) {
				if (s.findAny().isEmpty()) Files.delete(root);
			}
		}
		return r;
	}

	// ---- the steps

	private InstalledRuntime unpackZip(Path zip, LibtorchArchive a, String source, Listener listener, CancellationToken cancel)
		throws IOException, InterruptedException
	{
		Path partial = partialFolder(a.version(), a.flavor(), a.classifier());
		try (ZipFile z = new ZipFile(zip.toFile())) {
			List<ZipEntry> libs = new ArrayList<>();
			long total = 0;
			for (Enumeration<? extends ZipEntry> en = z.entries(); en.hasMoreElements();) {
				ZipEntry e = en.nextElement();
				String n = e.getName();
				if (e.isDirectory() || !n.startsWith("libtorch/lib/")) continue;
				String rel = n.substring("libtorch/lib/".length());
				if (rel.isEmpty() || rel.contains("..") || rel.startsWith("/") || rel.contains("\\") || rel.contains(":")) {
					throw new ModelSetupException(zip + ": the entry '" + n + "' would land outside the runtime folder; the zip is refused");
				}
				if (!isSharedLibraryName(rel)) continue; // static and import libraries, CMake files: DJL loads every file of the folder
				libs.add(e);
				total += Math.max(0, e.getSize());
			}
			if (z.getEntry("libtorch/lib/" + System.mapLibraryName("torch")) == null) {
				throw new ModelSetupException(zip + " has no libtorch/lib/" + System.mapLibraryName("torch") + ": it is not a libtorch for " + a.classifier());
			}
			ZipEntry bv = z.getEntry("libtorch/build-version");
			String buildVersion = null;
			if (bv != null) {
				try (InputStream in = z.getInputStream(bv)) {
					buildVersion = new String(SmallText.read(in, zip + " (libtorch/build-version)", SmallText.BUILD_VERSION_LIMIT, "a libtorch build-version"),
						StandardCharsets.UTF_8).trim();
				}
			}
			checkBuildVersion(buildVersion, a.version(), a.flavor(), zip.toString());
			requireSpace(root, total, "the unpacked libtorch (" + gb(total) + ")");
			long done = 0;
			byte[] buf = new byte[1 << 20];
			for (ZipEntry e : libs) {
				Path out = partial.resolve(InstalledRuntime.LIB).resolve(e.getName().substring("libtorch/lib/".length()));
				Files.createDirectories(out.getParent());
				try (InputStream in = z.getInputStream(e); OutputStream os = Files.newOutputStream(out)) {
					for (int n; (n = in.read(buf)) > 0;) {
						os.write(buf, 0, n);
						done += n;
						if (cancel.isCancelled()) throw new DownloadCancelledException("install cancelled while unpacking; nothing was installed");
					}
				}
				listener.step("unpacking", done, total);
			}
			return finish(partial, a.version(), a.flavor(), a.classifier(), source, a.sha256(), listener);
		}
		catch (ZipException e) {
			deleteTree(partial);
			throw new ModelSetupException(zip + " is not a readable zip (" + e.getMessage() + ")", e);
		}
		catch (InterruptedException e) {
			deleteTree(partial);
			throw e;
		}
		catch (IOException | RuntimeException e) {
			deleteTree(partial);
			throw diskFull(e);
		}
	}

	private InstalledRuntime copyFolder(Path source, String classifier, Listener listener, CancellationToken cancel) throws IOException, InterruptedException {
		Path home = Files.isDirectory(source.resolve("libtorch").resolve(InstalledRuntime.LIB)) ? source.resolve("libtorch") : source;
		Path lib = home.resolve(InstalledRuntime.LIB);
		if (!Files.isDirectory(lib)) throw new ModelSetupException(source + " is not an unpacked libtorch: it has no lib folder (nor libtorch/lib)");
		Path bvFile = home.resolve("build-version");
		String bv = Files.isRegularFile(bvFile) ? SmallText.string(bvFile, SmallText.BUILD_VERSION_LIMIT, "a libtorch build-version") : null;
		if (bv == null) throw new ModelSetupException(source + " is not an unpacked libtorch: it has no build-version file");
		String version = bv.contains("+") ? bv.substring(0, bv.indexOf('+')) : bv;
		String flavor = bv.contains("+") ? bv.substring(bv.indexOf('+') + 1) : "cpu";
		checkBuildVersion(bv, LibtorchArchive.LIBTORCH_VERSION, flavor, source.toString());
		if (!Files.isRegularFile(lib.resolve(System.mapLibraryName("torch")))) {
			throw new ModelSetupException(source + " has no " + System.mapLibraryName("torch") + " in " + lib + ": it is not a libtorch for " + classifier);
		}
		Path partial = partialFolder(version, flavor, classifier);
		try {
			List<Path> files;
			try (Stream<Path> s = Files.walk(lib)) {
				files = s.filter(f -> Files.isRegularFile(f) && isSharedLibraryName(lib.relativize(f).toString())).toList();
			}
			long total = 0;
			for (Path f : files) total += Files.size(f);
			requireSpace(root, total, "a copy of " + lib + " (" + gb(total) + ")");
			long done = 0;
			for (Path f : files) {
				Path out = partial.resolve(InstalledRuntime.LIB).resolve(lib.relativize(f).toString());
				Files.createDirectories(out.getParent());
				Files.copy(f, out, StandardCopyOption.REPLACE_EXISTING);
				done += Files.size(f);
				listener.step("copying", done, total);
				if (cancel.isCancelled()) throw new DownloadCancelledException("install cancelled while copying; nothing was installed");
			}
			return finish(partial, version, flavor, classifier, source.toAbsolutePath().toString(), "-", listener);
		}
		catch (InterruptedException e) {
			deleteTree(partial);
			throw e;
		}
		catch (IOException | RuntimeException e) {
			deleteTree(partial);
			throw diskFull(e);
		}
	}

	private static void checkBuildVersion(String buildVersion, String version, String flavor, String where) throws ModelSetupException {
		if (buildVersion == null) throw new ModelSetupException(where + " has no libtorch/build-version: it is not a libtorch zip");
		String expected = version + "+" + flavor;
		boolean ok = buildVersion.equals(expected) || (flavor.equals("cpu") && buildVersion.equals(version));
		if (!ok || !version.equals(LibtorchArchive.LIBTORCH_VERSION)) {
			throw new ModelSetupException(where + " is libtorch " + buildVersion + "; this StyleCrafter needs libtorch " + LibtorchArchive.LIBTORCH_VERSION
				+ " (the version its DJL " + Engine.getDjlVersion() + " JNI was built for), e.g. " + LibtorchArchive.LIBTORCH_VERSION + "+" + LibtorchArchive.CUDA_FLAVOR);
		}
	}

	/**
	 * Checks the libraries are for this platform, places the JNI, loads the runtime in a separate process, writes the
	 * manifest, and moves the folder into place (replacing a runtime the installer made, never a folder of the user's).
	 */
	private InstalledRuntime finish(Path partial, String version, String flavor, String classifier, String source, String sha, Listener listener)
		throws IOException, InterruptedException
	{
		Path target = target(version, flavor, classifier);
		if (Files.exists(target) && !InstalledRuntime.isOurs(target) && !RuntimeFolder.made(root).contains(target.getFileName().toString())) {
			throw new ModelSetupException(target + " already exists and was not made by the installer (it has no " + InstalledRuntime.MANIFEST
				+ "); nothing was installed. Move that folder away, or install into another folder (--dir or $" + FOLDER_ENV + ")");
		}
		String headers = LibraryHeaders.problem(partial.resolve(InstalledRuntime.LIB), classifier);
		if (headers != null) throw new ModelSetupException(source + ": " + headers + "; it cannot be installed here, and nothing was installed");
		String jni = System.mapLibraryName("djl_torch");
		String resource = "/jnilib/" + classifier + "/" + flavor + "/" + jni;
		Path jniTarget = partial.resolve(InstalledRuntime.ENGINE_CACHE).resolve("pytorch").resolve(version + "-" + flavor + "-" + classifier)
			.resolve(Engine.getDjlVersion() + "-" + jni);
		try (InputStream in = RuntimeInstaller.class.getResourceAsStream(resource)) {
			if (in == null) {
				throw new ModelSetupException("DJL has no JNI for libtorch " + version + " " + flavor + " on " + classifier + " (" + resource
					+ " is not in pytorch-jni); DJL " + Engine.getDjlVersion() + " ships one for cu128 on linux-x86_64 and win-x86_64, and cpu");
			}
			Files.createDirectories(jniTarget.getParent());
			Files.copy(in, jniTarget, StandardCopyOption.REPLACE_EXISTING);
		}
		Map<String, Long> files = new LinkedHashMap<>();
		try (Stream<Path> s = Files.walk(partial)) {
			for (Path f : s.filter(Files::isRegularFile).sorted().toList()) files.put(partial.relativize(f).toString().replace('\\', '/'), Files.size(f));
		}
		listener.message("checking that libtorch " + version + " " + flavor + " loads, in a separate Java process");
		String loadProblem = loadCheck.problem(new InstalledRuntime(partial, version, flavor, classifier, source, sha, files, ""));
		if (loadProblem != null) {
			throw new ModelSetupException("the libtorch from " + source + " does not load on this machine: " + loadProblem + " (loaded from "
				+ partial.resolve(InstalledRuntime.LIB) + " in a separate Java process; that folder was removed). Nothing was installed; install the "
				+ "official libtorch " + LibtorchArchive.LIBTORCH_VERSION + "+" + LibtorchArchive.CUDA_FLAVOR + " for " + classifier + " instead");
		}
		files.clear(); // again: the check may have left files in the engine cache
		try (Stream<Path> s = Files.walk(partial)) {
			for (Path f : s.filter(Files::isRegularFile).sorted().toList()) files.put(partial.relativize(f).toString().replace('\\', '/'), Files.size(f));
		}
		InstalledRuntime tmp = new InstalledRuntime(partial, version, flavor, classifier, source, sha, files, InstalledRuntime.LOADED);
		tmp.writeManifest();
		RuntimeFolder.record(root, target.getFileName().toString());
		if (Files.exists(target)) {
			Path old = root.resolve(".old-" + target.getFileName() + "-" + System.nanoTime());
			Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
			deleteTree(old);
		}
		Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
		InstalledRuntime.Check c = InstalledRuntime.read(target);
		if (!c.ok()) throw new ModelSetupException("the runtime was installed but does not read back: " + c.problem());
		return c.runtime();
	}

	/**
	 * Whether a file of {@code libtorch/lib} is a shared library at its top level. DJL loads every file of the folder it
	 * is given, so the static libraries ({@code .a}, {@code .lib}) and CMake files of the official zips stay out.
	 */
	static boolean isSharedLibraryName(String rel) {
		if (rel.contains("/") || rel.contains("\\")) return false;
		String n = rel.toLowerCase(Locale.ROOT);
		return n.endsWith(".dll") || n.endsWith(".dylib") || n.matches(".*\\.so(\\.\\d+)*");
	}

	private Path partialFolder(String version, String flavor, String classifier) throws IOException {
		Path p = root.resolve(".partial-" + InstalledRuntime.folderName(version, flavor, classifier));
		deleteTree(p); // a leftover of an interrupted install
		Files.createDirectories(p);
		return p;
	}

	private void requireSpace(Path folder, long need, String what) throws IOException {
		Files.createDirectories(folder);
		long free = disk.usable(folder);
		if (free < need + RESERVE_BYTES) {
			throw new ModelSetupException(String.format(Locale.ROOT, "%s need %s on the disk of %s, which has %s free (keeping %s spare); free "
				+ "some space or set %s to a folder on a larger disk", what, gb(need), folder, gb(free), gb(RESERVE_BYTES), FOLDER_ENV));
		}
	}

	private static String hash(Path file, Listener listener, CancellationToken cancel) throws IOException {
		String what = "checking " + file.getFileName();
		return VerifiedFiles.sha256(file, what, (name, done, total) -> listener.step(name, done, total), cancel);
	}

	private static IOException diskFull(Exception e) {
		if (e instanceof ModelSetupException m) return m;
		String why = String.valueOf(e.getMessage());
		if (why.contains("No space left") || why.contains("not enough space") || why.contains("Disk quota")) {
			return new ModelSetupException("the disk is full; nothing was installed (the partial files were removed). Free some space and run the install again", e);
		}
		if (e instanceof IOException io) return io;
		throw (RuntimeException) e;
	}

	public static String gb(long bytes) {
		return String.format(Locale.ROOT, "%.2f GB", bytes / 1e9);
	}

	static void deleteTree(Path p) throws IOException {
		if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
		Files.walkFileTree(p, new SimpleFileVisitor<>() {
			@Override
			public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
				Files.delete(file);
				return FileVisitResult.CONTINUE;
			}

			@Override
			public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
				Files.delete(dir);
				return FileVisitResult.CONTINUE;
			}
		});
	}
}
