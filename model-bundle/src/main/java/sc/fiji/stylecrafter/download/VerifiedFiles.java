package sc.fiji.stylecrafter.download;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import com.google.gson.reflect.TypeToken;

import sc.fiji.stylecrafter.task.CancellationToken;

/**
 * SHA-256 checks of model files, remembered per folder ({@code .stylecrafter-verified.json}: name, size, modification
 * time, hash) so that a file already checked is not hashed again (11 GB take minutes) until it changes.
 */
public final class VerifiedFiles {

	/** The memory's file name in a model folder. */
	public static final String FILE_NAME = ".stylecrafter-verified.json";

	/** Told how far hashing has come. */
	@FunctionalInterface
	public interface Listener {
		void hashed(String name, long done, long total);
	}

	private record Entry(long size, long modified, String sha256) {}

	private final Path folder;
	private final Map<String, Entry> entries;

	private VerifiedFiles(Path folder, Map<String, Entry> entries) {
		this.folder = folder;
		this.entries = entries;
	}

	/** The folder's memory; empty if it has none or it cannot be read (then files are simply hashed again). */
	public static VerifiedFiles of(Path folder) {
		Path f = folder.resolve(FILE_NAME);
		Map<String, Entry> m = new TreeMap<>();
		if (Files.isRegularFile(f)) {
			try {
				Map<String, Entry> read = new Gson().fromJson(Files.readString(f, StandardCharsets.UTF_8), new TypeToken<Map<String, Entry>>() {}.getType());
				if (read != null) read.forEach((k, v) -> {
					if (v != null && v.sha256() != null) m.put(k, v);
				});
			}
			catch (IOException | JsonParseException e) {
				// a damaged memory only costs a new hash
			}
		}
		return new VerifiedFiles(folder, m);
	}

	/** True if {@code name} was hashed to {@code sha256} and has not changed since (same size and modification time). */
	public synchronized boolean isVerified(String name, String sha256) throws IOException {
		Entry e = entries.get(name);
		Path f = folder.resolve(name);
		return e != null && e.sha256().equals(sha256) && Files.isRegularFile(f) && Files.size(f) == e.size()
			&& Files.getLastModifiedTime(f).toMillis() == e.modified();
	}

	/** Records that {@code name} has hash {@code sha256} now. */
	public synchronized void remember(String name, String sha256) throws IOException {
		Path f = folder.resolve(name);
		entries.put(name, new Entry(Files.size(f), Files.getLastModifiedTime(f).toMillis(), sha256));
		Path tmp = folder.resolve(FILE_NAME + ".tmp");
		Files.writeString(tmp, new Gson().toJson(entries), StandardCharsets.UTF_8);
		Files.move(tmp, folder.resolve(FILE_NAME), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
	}

	/** The SHA-256 of a file, with progress every 64 MB and a check for cancellation. */
	public static String sha256(Path file, String name, Listener listener, CancellationToken cancel) throws IOException {
		MessageDigest md = newDigest();
		long total = Files.size(file), done = 0, told = 0;
		byte[] buf = new byte[1 << 20];
		try (InputStream in = Files.newInputStream(file)) {
			for (int n; (n = in.read(buf)) > 0;) {
				md.update(buf, 0, n);
				done += n;
				if (done - told >= (64L << 20) || done == total) {
					told = done;
					if (listener != null) listener.hashed(name, done, total);
					if (cancel != null && cancel.isCancelled()) throw new DownloadCancelledException("checking " + name + " was cancelled");
				}
			}
		}
		return HexFormat.of().formatHex(md.digest());
	}

	public static MessageDigest newDigest() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("this Java has no SHA-256", e);
		}
	}
}
