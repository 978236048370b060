package sc.fiji.stylecrafter.engine.install;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import sc.fiji.stylecrafter.download.Downloader;
import sc.fiji.stylecrafter.download.ModelSetupException;
import sc.fiji.stylecrafter.download.VerifiedFiles;

/**
 * The runtime folder's record of what the installer made in it ({@value #RECORD}, written when an install starts and
 * before a runtime is moved into place), and the removal that deletes only that: the runtimes it installed (listed
 * there, or holding the manifest it writes), its own unfinished and replaced folders, and in {@code downloads/} the zips
 * it knows with their partial and kept-aside copies. Anything else in the folder is the user's: it is left and named. A
 * folder with neither the record nor a runtime the installer wrote is not a runtime folder, and nothing in it is removed.
 */
public final class RuntimeFolder {

	/** The record in the runtime folder. */
	public static final String RECORD = "stylecrafter-runtime.properties";
	private static final String PARTIAL = ".partial-libtorch-", OLD = ".old-libtorch-";

	/**
	 * What a removal did.
	 *
	 * @param root the runtime folder
	 * @param removed what was deleted, relative to {@code root} ({@code downloads/x.zip.part}; folders end with '/')
	 * @param left what was left because the installer did not make it
	 */
	public record Removal(Path root, List<String> removed, List<String> left) {}

	private RuntimeFolder() {}

	/** Whether {@code root} is a runtime folder: it has the record, or a runtime whose manifest the installer wrote (installed before the record existed). */
	public static boolean isRuntimeFolder(Path root) throws IOException {
		if (Files.isRegularFile(root.resolve(RECORD))) return true;
		if (!Files.isDirectory(root)) return false;
		try (Stream<Path> s = Files.list(root)) {
			return s.anyMatch(p -> p.getFileName().toString().startsWith("libtorch-") && InstalledRuntime.isOurs(p));
		}
	}

	/** The names of the runtime folders the record lists. */
	static Set<String> made(Path root) throws IOException {
		Set<String> names = new TreeSet<>();
		Path f = root.resolve(RECORD);
		if (!Files.isRegularFile(f)) return names;
		Properties p = SmallText.properties(f, "the runtime folder's record");
		for (String k : p.stringPropertyNames()) if (k.startsWith("made.")) names.add(p.getProperty(k));
		return names;
	}

	/** Adds {@code name} (a runtime folder about to be moved into place; {@code null}: none yet) to the record, creating it. */
	static void record(Path root, String name) throws IOException {
		Set<String> names = made(root);
		if (name != null && !names.add(name) || name == null && Files.isRegularFile(root.resolve(RECORD))) return;
		write(root, names);
	}

	private static void write(Path root, Set<String> names) throws IOException {
		Properties p = new Properties();
		int i = 0;
		for (String n : names) p.setProperty("made." + i++, n);
		Files.createDirectories(root);
		Path tmp = root.resolve(RECORD + ".tmp");
		try (OutputStream out = Files.newOutputStream(tmp)) {
			p.store(out, "Written by StyleCrafter's runtime installer: the folders it made here. 'stylecrafter runtime remove' deletes only what "
				+ "the installer made, and only in a folder that has this file");
		}
		Files.move(tmp, root.resolve(RECORD), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
	}

	/**
	 * Deletes what the installer made in {@code root} (the caller holds the folder's lock); the record goes too once
	 * nothing else is left, else it stays (listing nothing) so that the folder is still known.
	 *
	 * @param known the zips the installer downloads, whose files in {@code downloads/} are its own
	 * @throws ModelSetupException when {@code root} is not a runtime folder; nothing is deleted then
	 */
	static Removal remove(Path root, List<LibtorchArchive> known) throws IOException {
		if (!Files.isDirectory(root)) return new Removal(root, List.of(), List.of());
		if (!isRuntimeFolder(root)) {
			throw new ModelSetupException(root + " is not a StyleCrafter runtime folder: it has no " + RECORD + " (written by 'stylecrafter runtime install') "
				+ "and no runtime installed by it, so nothing was removed. Give the folder the runtime was installed into (--dir, $"
				+ RuntimeInstaller.FOLDER_ENV + " or -D" + RuntimeInstaller.FOLDER_PROPERTY + ")");
		}
		Set<String> made = made(root);
		List<String> removed = new ArrayList<>(), left = new ArrayList<>();
		List<Path> entries;
		try (Stream<Path> s = Files.list(root)) {
			entries = s.sorted().toList();
		}
		for (Path p : entries) {
			String n = p.getFileName().toString();
			boolean dir = Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS);
			if (n.equals(RECORD) || n.equals(RECORD + ".tmp") || n.equals(Downloader.LOCK_FILE)) continue;
			if (dir && n.startsWith("libtorch-") && (made.contains(n) || InstalledRuntime.isOurs(p)) || dir && (n.startsWith(PARTIAL) || n.startsWith(OLD))) {
				RuntimeInstaller.deleteTree(p);
				removed.add(n + "/");
			}
			else if (dir && n.equals(RuntimeInstaller.DOWNLOADS)) cleanDownloads(p, known, removed, left);
			else left.add(n + (dir ? "/" : ""));
		}
		if (left.isEmpty()) {
			Files.deleteIfExists(root.resolve(RECORD + ".tmp"));
			Files.deleteIfExists(root.resolve(RECORD));
		}
		else write(root, new TreeSet<>());
		return new Removal(root, List.copyOf(removed), List.copyOf(left));
	}

	private static void cleanDownloads(Path downloads, List<LibtorchArchive> known, List<String> removed, List<String> left) throws IOException {
		String prefix = RuntimeInstaller.DOWNLOADS + "/";
		List<Path> files;
		try (Stream<Path> s = Files.list(downloads)) {
			files = s.sorted().toList();
		}
		for (Path f : files) {
			String n = f.getFileName().toString();
			if (Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS) && isOurDownload(n, known)) {
				Files.delete(f);
				removed.add(prefix + n);
			}
			else left.add(prefix + n + (Files.isDirectory(f) ? "/" : ""));
		}
		try (Stream<Path> s = Files.list(downloads)) {
			if (s.findAny().isEmpty()) Files.delete(downloads);
		}
	}

	/** A file of {@code downloads/} that the installer's downloads make: a known zip, its {@code .part}, a kept-aside copy, the downloader's own files. */
	static boolean isOurDownload(String n, List<LibtorchArchive> known) {
		if (n.equals(VerifiedFiles.FILE_NAME) || n.equals(VerifiedFiles.FILE_NAME + ".tmp") || n.equals(Downloader.LOCK_FILE)) return true;
		for (LibtorchArchive a : known) {
			if (n.equals(a.fileName()) || n.equals(a.fileName() + ".part") || n.startsWith(a.fileName() + ".corrupt-")) return true;
		}
		return false;
	}
}
