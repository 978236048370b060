package sc.fiji.stylecrafter.download;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Files that failed their check, kept aside as {@code NAME.corrupt-<time>} so that a user can look at them, never
 * used. At most one is kept per file: each is as big as the file (6.3 GB for {@code model.ckpt}), and repeated
 * failures would otherwise fill the disk.
 */
final class KeptAside {

	/** What comes between a file's name and the time in the name of its bad copy. */
	static final String MARK = ".corrupt-";

	private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

	private KeptAside() {}

	/** A bad copy kept, and the older ones deleted for it. */
	record Kept(Path path, List<String> deleted) {

		/** {@code ""}, or a sentence part saying which older copies were deleted and why. */
		String note() {
			return deleted.isEmpty() ? "" : "; the older " + String.join(", ", deleted) + " was deleted, as one bad copy is kept per file";
		}
	}

	/**
	 * Moves {@code bad} to {@code NAME.corrupt-<time>} beside it, deletes the older bad copies of that file, and tells
	 * the listener what was kept and what deleted.
	 */
	static Kept keep(Path bad, String name, Downloader.Listener listener, String why) throws IOException {
		Path aside = bad.resolveSibling(name + MARK + LocalDateTime.now().format(TIME));
		List<Path> older = of(bad.getParent(), name);
		Files.move(bad, aside, StandardCopyOption.REPLACE_EXISTING);
		List<String> deleted = new ArrayList<>();
		for (Path p : older) {
			if (p.equals(aside)) continue;
			Files.deleteIfExists(p);
			deleted.add(p.getFileName().toString());
		}
		Kept kept = new Kept(aside, List.copyOf(deleted));
		listener.message(bad.getFileName() + " " + why + "; kept aside as " + aside.getFileName() + " (never used)" + kept.note());
		return kept;
	}

	/** The bad copies of {@code name} in {@code folder}. */
	static List<Path> of(Path folder, String name) throws IOException {
		return list(folder, name + MARK);
	}

	/** Every bad copy in {@code folder}. */
	static List<Path> all(Path folder) throws IOException {
		return list(folder, null);
	}

	private static List<Path> list(Path folder, String prefix) throws IOException {
		if (!Files.isDirectory(folder)) return List.of();
		try (Stream<Path> s = Files.list(folder)) {
			return s.filter(p -> {
				String n = p.getFileName().toString();
				return Files.isRegularFile(p) && (prefix == null ? n.contains(MARK) : n.startsWith(prefix));
			}).sorted().toList();
		}
	}

	/**
	 * A sentence about the bad copies in {@code folder} for a message on free space ({@code ""} when there are none):
	 * they take room a download needs, and may be deleted.
	 */
	static String spaceNote(Path folder) throws IOException {
		List<Path> all = all(folder);
		if (all.isEmpty()) return "";
		long bytes = 0;
		for (Path p : all) bytes += Files.size(p);
		return String.format(Locale.ROOT, "; %.2f GB of that disk are taken by copies that failed their check and were kept aside (%s): "
			+ "delete them unless you want to inspect them", bytes / 1e9, String.join(", ", all.stream().map(p -> p.getFileName().toString()).toList()));
	}
}
