package sc.fiji.stylecrafter.setup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import sc.fiji.stylecrafter.task.CancellationToken;
import sc.fiji.stylecrafter.download.Downloader;
import sc.fiji.stylecrafter.download.Licence;
import sc.fiji.stylecrafter.download.ModelFile;
import sc.fiji.stylecrafter.download.ModelSetupException;
import sc.fiji.stylecrafter.download.VerifiedFiles;
import sc.fiji.stylecrafter.model.Catalogue;
import sc.fiji.stylecrafter.model.ModelFolder;

/**
 * Setting up a model folder: the licence terms shown and accepted once, the catalogue's files downloaded (skipping
 * those already verified), and each file's state reported. The same for the command line and Fiji.
 */
public final class ModelSetup {

	/** Where the acceptance of the licence terms is remembered, per folder. */
	public static final String LICENCES_FILE = ".stylecrafter-licences-accepted";

	/** The environment variable that names the default model folder. */
	public static final String FOLDER_ENV = "STYLECRAFTER_MODELS";

	private ModelSetup() {}

	/** {@code $STYLECRAFTER_MODELS}, else {@code ~/.stylecrafter/models}. */
	public static Path defaultFolder() {
		String env = System.getenv(FOLDER_ENV);
		if (env != null && !env.isBlank()) return Path.of(env);
		return Path.of(System.getProperty("user.home"), ".stylecrafter", "models");
	}

	/** The terms of every licence in the catalogue, for display before the first download. */
	public static String licenceText(Catalogue c) {
		StringBuilder sb = new StringBuilder("The model files are not part of StyleCrafter for Fiji; their authors publish them under these terms:\n");
		for (Licence l : licences(c)) {
			sb.append("\n- ").append(l.what()).append(" (");
			sb.append(String.join(", ", c.files().stream().filter(f -> f.licence() == l).map(ModelFile::name).toList())).append("): ");
			sb.append(l.terms()).append('\n');
		}
		return sb.toString();
	}

	private static Set<Licence> licences(Catalogue c) {
		Set<Licence> s = EnumSet.noneOf(Licence.class);
		for (ModelFile f : c.files()) s.add(f.licence());
		return s;
	}

	/** True if the terms were accepted for this folder. */
	public static boolean licencesAccepted(Path folder, Catalogue c) throws IOException {
		Path f = folder.resolve(LICENCES_FILE);
		if (!Files.isRegularFile(f)) return false;
		String text = Files.readString(f, StandardCharsets.UTF_8);
		return licences(c).stream().allMatch(l -> text.contains(l.name()));
	}

	/** Records that the user accepted the terms for this folder. */
	public static void acceptLicences(Path folder, Catalogue c) throws IOException {
		Downloader.createFolder(folder);
		StringBuilder sb = new StringBuilder("accepted " + LocalDate.now() + "\n");
		for (Licence l : licences(c)) sb.append(l.name()).append('\n');
		Files.writeString(folder.resolve(LICENCES_FILE), sb.toString(), StandardCharsets.UTF_8);
	}

	/** The state of one file of a folder. */
	public enum State { VERIFIED, PRESENT, MISSING, PARTIAL, WRONG_SIZE, CORRUPT }

	/** One file's state, with what to do in a sentence. */
	public record FileStatus(ModelFile file, State state, String detail) {

		public boolean usable() {
			return state == State.VERIFIED || state == State.PRESENT;
		}

		@Override
		public String toString() {
			return String.format(Locale.ROOT, "%-30s %-10s %s", file.name(), state.name().toLowerCase(Locale.ROOT).replace('_', ' '), detail);
		}
	}

	/**
	 * Where a catalogue file is in the folder: under its name, or where {@link ModelFolder} found it (another name, a
	 * Hugging Face cache); its name in the folder if it is nowhere.
	 */
	static Path where(ModelFile f, Path folder, ModelFolder located) {
		Path p = folder.resolve(f.name());
		if (Files.isRegularFile(p)) return p;
		for (var e : located.weights().entrySet()) if (e.getKey().fileName().equals(f.name())) return e.getValue();
		if (located.tokenizer() != null && Files.isRegularFile(located.tokenizer().resolve(f.name()))) return located.tokenizer().resolve(f.name());
		return p;
	}

	/** Each file's state from its size and the remembered hashes, without hashing anything. */
	public static List<FileStatus> status(Catalogue c, Path folder) throws IOException {
		return status(c, folder, ModelFolder.locate(folder));
	}

	private static List<FileStatus> status(Catalogue c, Path folder, ModelFolder located) throws IOException {
		VerifiedFiles verified = VerifiedFiles.of(folder);
		List<FileStatus> out = new ArrayList<>();
		for (ModelFile f : c.files()) {
			Path p = where(f, folder, located);
			String key = folder.relativize(p).toString();
			String as = key.equals(f.name()) ? "" : " (found as " + key + ")";
			Path part = folder.resolve(f.name() + ".part");
			if (!Files.isRegularFile(p)) {
				if (Files.isRegularFile(part)) {
					out.add(new FileStatus(f, State.PARTIAL, String.format(Locale.ROOT, "%.1f of %.1f MB downloaded; run the download again to resume",
						Files.size(part) / 1e6, f.bytes() / 1e6)));
				}
				else out.add(new FileStatus(f, State.MISSING, String.format(Locale.ROOT, "%.1f MB to download", f.bytes() / 1e6)));
			}
			else if (Files.size(p) != f.bytes()) {
				out.add(new FileStatus(f, State.WRONG_SIZE, String.format(Locale.ROOT, "%.1f MB, not the official %.1f MB: another file (a custom or "
					+ "test model) or an unfinished copy", Files.size(p) / 1e6, f.bytes() / 1e6) + as));
			}
			else if (verified.isVerified(key, f.sha256())) out.add(new FileStatus(f, State.VERIFIED, "SHA-256 checked" + as));
			else out.add(new FileStatus(f, State.PRESENT, "right size, SHA-256 not checked yet (models verify)" + as));
		}
		return out;
	}

	/** Hashes every present file that is not verified yet; a mismatch is reported as corrupt, the file left in place. */
	public static List<FileStatus> verify(Catalogue c, Path folder, VerifiedFiles.Listener listener, CancellationToken cancel) throws IOException {
		List<FileStatus> out = new ArrayList<>();
		VerifiedFiles verified = VerifiedFiles.of(folder);
		ModelFolder located = ModelFolder.locate(folder); // once: finding files by content opens them
		for (FileStatus s : status(c, folder, located)) {
			if (s.state() != State.PRESENT) {
				out.add(s);
				continue;
			}
			Path p = where(s.file(), folder, located);
			String got = VerifiedFiles.sha256(p, s.file().name(), listener, cancel);
			if (got.equals(s.file().sha256())) {
				verified.remember(folder.relativize(p).toString(), got);
				out.add(new FileStatus(s.file(), State.VERIFIED, "SHA-256 checked"));
			}
			else {
				out.add(new FileStatus(s.file(), State.CORRUPT, "SHA-256 " + got + " differs from the official " + s.file().sha256()
					+ ": corrupt or another version; delete it and download again"));
			}
		}
		return out;
	}

	/**
	 * Downloads every file of the catalogue that is not verified in the folder yet (a present file of the right size
	 * is hashed first, and kept if it matches).
	 *
	 * @throws ModelSetupException if the licence terms were not accepted, another download runs in the folder, or a
	 *           file fails (the ones before it stay downloaded)
	 */
	public static void download(Catalogue c, Path folder, Downloader downloader, Downloader.Listener listener, CancellationToken cancel)
		throws IOException, InterruptedException
	{
		download(c, folder, downloader, null, listener, cancel);
	}

	/**
	 * As {@link #download(Catalogue, Path, Downloader, Downloader.Listener, CancellationToken)}, but with {@code from}
	 * (unless {@code null}) the files are copied from that folder of files downloaded elsewhere (under their names, under
	 * other names recognised by content, or in a Hugging Face cache there) instead of downloaded, each checked by its
	 * size and SHA-256: for a computer without a network, or one that should not fetch 11 GB again.
	 *
	 * @throws ModelSetupException also when {@code from} lacks some files (the others are copied first) or holds a
	 *           wrong one
	 */
	public static void download(Catalogue c, Path folder, Downloader downloader, Path from, Downloader.Listener listener, CancellationToken cancel)
		throws IOException, InterruptedException
	{
		if (from != null && !Files.isDirectory(from)) {
			throw new ModelSetupException("the folder to copy the model files from, " + from + ", " + (Files.exists(from) ? "is a file, not a folder"
				: "does not exist") + "; give the folder that holds the downloaded files");
		}
		Downloader.createFolder(folder);
		if (!licencesAccepted(folder, c)) {
			throw new ModelSetupException("the licence terms of the model files have not been accepted for " + folder + ":\n" + licenceText(c));
		}
		ModelFolder source = from == null ? null : ModelFolder.locate(from);
		List<String> lacking = new ArrayList<>();
		try (Downloader.FolderLock lock = Downloader.lock(folder)) {
			for (FileStatus s : verify(c, folder, (name, done, total) -> listener.progress(c.file(name).orElseThrow(), done, total, Double.NaN, Double.NaN), cancel)) {
				if (s.state() == State.VERIFIED) {
					listener.message(s.file().name() + ": already here and verified");
					continue;
				}
				Path copyFrom = from == null ? null : where(s.file(), from, source);
				if (from != null && !Files.isRegularFile(copyFrom)) {
					lacking.add(s.file().name());
					continue;
				}
				Path named = folder.resolve(s.file().name());
				if ((s.state() == State.CORRUPT || s.state() == State.WRONG_SIZE) && Files.isRegularFile(named)) {
					Downloader.keepAside(named, s.file(), listener, "does not match the official file");
				}
				if (from != null) downloader.copy(s.file(), copyFrom, folder, listener, cancel);
				else downloader.download(s.file(), c.address().apply(s.file()), folder, listener, cancel);
			}
		}
		if (!lacking.isEmpty()) {
			throw new ModelSetupException(from + " lacks " + String.join(", ", lacking) + " (looked for by name, by content and in a Hugging Face "
				+ "cache there); the other files were copied and verified. Put the missing files there, or download them (without --from; in Fiji, with no folder to copy from)");
		}
	}
}
