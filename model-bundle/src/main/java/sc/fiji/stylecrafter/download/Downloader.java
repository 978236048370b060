package sc.fiji.stylecrafter.download;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import sc.fiji.stylecrafter.task.CancellationToken;

/**
 * Downloads model files into a folder, safely: into {@code <name>.part} beside the target, resumed with an HTTP
 * Range request after an interruption (from scratch if the server ignores ranges), retried with growing pauses (or the
 * server's {@code Retry-After}) on dropped or stalled connections and server errors, failing at once on what a retry
 * cannot cure (an unknown host, a refused certificate, a missing file), checked for free disk space first, hashed while
 * it arrives, and renamed to its name only after its SHA-256 matches; a file that does not match is kept aside as
 * {@code <name>.corrupt-<time>} (one per file), never used. One download per folder at a time (a lock file, across
 * programs). The access token goes only where {@link TokenScope} allows, redirects are followed here so that it never
 * reaches another host. Proxies: see {@link #proxy()}. Files already downloaded elsewhere are taken with {@link #copy}.
 */
public final class Downloader {

	/** Told how a download goes. */
	public interface Listener {

		/** Bytes of {@code file} present so far (resumed bytes included), speed over this attempt, seconds left (NaN unknown). */
		void progress(ModelFile file, long done, long total, double bytesPerSecond, double secondsLeft);

		/** Something the user may want to read (a retry, a restart, a file kept aside). */
		default void message(String text) {}
	}

	/** Free space of a folder's disk (replaceable in tests). */
	@FunctionalInterface
	public interface DiskSpace {

		long usable(Path folder) throws IOException;

		DiskSpace REAL = folder -> Files.getFileStore(folder).getUsableSpace();
	}

	/**
	 * @param retries attempts after the first, for network and server errors
	 * @param firstPause the pause before the first retry; each next one doubles
	 * @param connectTimeout time to connect
	 * @param idleTimeout the longest wait for the answer's headers or the next byte before the attempt counts as failed
	 * @param maxRetryAfter the longest {@code Retry-After} honoured; a server asking for more fails the download at once
	 * @param token a Hugging Face access token for gated files, or {@code null} ({@code HF_TOKEN} by default)
	 * @param endpoint a Hugging Face mirror that may receive the token, or {@code null} ({@code HF_ENDPOINT} by default)
	 * @param disk free space
	 * @param reserveBytes free space to leave on the disk beyond the file
	 */
	public record Options(int retries, Duration firstPause, Duration connectTimeout, Duration idleTimeout, Duration maxRetryAfter, String token,
		URI endpoint, DiskSpace disk, long reserveBytes)
	{

		/** The options of earlier versions: a 60 s idle timeout, Retry-After up to 10 min, no mirror. */
		public Options(int retries, Duration firstPause, Duration connectTimeout, String token, DiskSpace disk, long reserveBytes) {
			this(retries, firstPause, connectTimeout, Duration.ofSeconds(60), Duration.ofMinutes(10), token, null, disk, reserveBytes);
		}

		/**
		 * 5 retries from 2 s, 30 s to connect, 60 s idle, {@code Retry-After} up to 10 min, {@code HF_TOKEN} and
		 * {@code HF_ENDPOINT} from the environment (a malformed endpoint is left out here; the catalogue reports it),
		 * 256 MB spare.
		 */
		public static Options defaults() {
			URI endpoint;
			try {
				endpoint = HuggingFaceEndpoint.fromEnvironment();
			}
			catch (ModelSetupException e) {
				endpoint = null;
			}
			return new Options(5, Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofMinutes(10), System.getenv("HF_TOKEN"),
				endpoint, DiskSpace.REAL, 256L << 20);
		}

		public Options withRetries(int retries, Duration firstPause) {
			return new Options(retries, firstPause, connectTimeout, idleTimeout, maxRetryAfter, token, endpoint, disk, reserveBytes);
		}

		public Options withDisk(DiskSpace disk, long reserveBytes) {
			return new Options(retries, firstPause, connectTimeout, idleTimeout, maxRetryAfter, token, endpoint, disk, reserveBytes);
		}

		/** Another idle timeout (tests use about a second). */
		public Options withIdleTimeout(Duration idleTimeout) {
			return new Options(retries, firstPause, connectTimeout, idleTimeout, maxRetryAfter, token, endpoint, disk, reserveBytes);
		}

		/** Another cap on the server's {@code Retry-After}. */
		public Options withMaxRetryAfter(Duration maxRetryAfter) {
			return new Options(retries, firstPause, connectTimeout, idleTimeout, maxRetryAfter, token, endpoint, disk, reserveBytes);
		}

		/** Another token (or {@code null}). */
		public Options withToken(String token) {
			return new Options(retries, firstPause, connectTimeout, idleTimeout, maxRetryAfter, token, endpoint, disk, reserveBytes);
		}

		/** Another Hugging Face mirror allowed to receive the token (or {@code null} for huggingface.co only). */
		public Options withEndpoint(URI endpoint) {
			return new Options(retries, firstPause, connectTimeout, idleTimeout, maxRetryAfter, token, endpoint, disk, reserveBytes);
		}
	}

	/** The lock file in a folder being downloaded into. */
	public static final String LOCK_FILE = ".stylecrafter-download.lock";

	private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

	private final Options options;
	private final Requests requests;

	public Downloader(Options options) {
		this.options = options;
		this.requests = new Requests(options, proxy());
	}

	/**
	 * The proxy: Java's {@code https.proxyHost} if set; else the {@code HTTPS_PROXY} environment variable that
	 * command-line tools use; else the system's settings when {@code java.net.useSystemProxies} is on (the launcher and
	 * Fiji's updater turn it on), or none.
	 */
	static ProxySelector proxy() {
		if (System.getProperty("https.proxyHost") == null) {
			String env = System.getenv("HTTPS_PROXY") != null ? System.getenv("HTTPS_PROXY") : System.getenv("https_proxy");
			if (env != null && !env.isBlank()) {
				try {
					URI u = URI.create(env.contains("://") ? env : "http://" + env);
					if (u.getHost() != null) return ProxySelector.of(new java.net.InetSocketAddress(u.getHost(), u.getPort() > 0 ? u.getPort() : 80));
				}
				catch (IllegalArgumentException e) {
					// not an address: fall back to Java's settings
				}
			}
		}
		return ProxySelector.getDefault();
	}

	/** Holds a folder's download lock; close it to release. */
	public static final class FolderLock implements AutoCloseable {

		private final FileChannel channel;
		private final FileLock lock;

		private FolderLock(FileChannel channel, FileLock lock) {
			this.channel = channel;
			this.lock = lock;
		}

		@Override
		public void close() throws IOException {
			try {
				lock.release();
			}
			finally {
				channel.close();
			}
		}
	}

	/** Takes the folder's download lock, or says that another download into it is running, or why the lock cannot be made. */
	public static FolderLock lock(Path folder) throws IOException {
		createFolder(folder);
		Path file = folder.resolve(LOCK_FILE);
		FileChannel ch;
		try {
			ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
		}
		catch (IOException e) {
			throw new ModelSetupException("cannot create the lock file " + file + " that keeps two downloads into the folder apart (" + reason(e)
				+ "); choose a folder you can write to, or fix the permissions of " + folder, e);
		}
		FileLock l;
		try {
			l = ch.tryLock();
		}
		catch (OverlappingFileLockException e) {
			l = null;
		}
		catch (IOException e) {
			ch.close();
			throw new ModelSetupException("cannot lock " + file + " (" + reason(e) + "), which keeps two downloads into the folder apart; "
				+ "a network drive may not support locks: choose a folder on a local disk", e);
		}
		if (l == null) {
			ch.close();
			throw new ModelSetupException("another download into " + folder + " is running (in this or another program); wait for it to finish");
		}
		return new FolderLock(ch, l);
	}

	/** Creates {@code folder} if needed, or says why it cannot be a folder of downloads. */
	public static void createFolder(Path folder) throws ModelSetupException {
		if (Files.exists(folder) && !Files.isDirectory(folder)) {
			throw new ModelSetupException(folder + " is a file, not a folder; give a folder for the model files (it is created if missing)");
		}
		try {
			Files.createDirectories(folder);
		}
		catch (IOException e) {
			throw new ModelSetupException("cannot create the folder " + folder + " (" + reason(e) + "); choose a folder you can write to", e);
		}
	}

	/** Why a file operation failed, in words: {@code permission denied}, {@code Read-only file system}. */
	private static String reason(IOException e) {
		if (e instanceof AccessDeniedException) return "permission denied";
		if (e instanceof FileSystemException f && f.getReason() != null) return f.getReason();
		if (e instanceof FileSystemException f && f.getFile() != null) return e.getClass().getSimpleName() + " on " + f.getFile();
		return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
	}

	/** A file being fetched: its {@code .part}, the bytes in it, their hash so far, and whether the server resumes. */
	private static final class Transfer {

		final ModelFile file;
		final Path part;
		final MessageDigest sha = VerifiedFiles.newDigest();
		long have;
		boolean rangeIgnored;

		Transfer(ModelFile file, Path part) throws IOException {
			this.file = file;
			this.part = part;
			this.have = Files.isRegularFile(part) ? Files.size(part) : 0;
		}

		/** From the beginning again: the server sent the whole file. */
		void restart() {
			have = 0;
			sha.reset();
		}

		/** How the next attempt starts, for a retry message. */
		String nextStart() {
			if (rangeIgnored) return "starting again from the beginning (the server ignores requests to resume)";
			if (have == 0) return "from the beginning (nothing was received yet)";
			return "resuming at " + have + " bytes (kept in " + part.getFileName() + ")";
		}

		/** What became of the partial file, for a final message; an empty one is deleted, not claimed as kept. */
		String kept() throws IOException {
			long size = Files.isRegularFile(part) ? Files.size(part) : 0;
			if (size == 0) {
				Files.deleteIfExists(part);
				return "no partial file is kept, as no byte of it arrived";
			}
			if (rangeIgnored) {
				return size + " bytes are kept in " + part + ", but the server ignores requests to resume, so the next attempt starts again from the beginning";
			}
			return size + " bytes are kept in " + part + " and the next attempt resumes there";
		}
	}

	/**
	 * Downloads {@code file} from {@code from} into {@code folder} (the caller holds the folder's {@link #lock}).
	 *
	 * @return the verified file
	 * @throws DownloadCancelledException when cancelled; the bytes fetched stay for the next attempt
	 * @throws ModelSetupException for every failure, saying what happened, what became of the partial file and what to do
	 */
	public Path download(ModelFile file, URI from, Path folder, Listener listener, CancellationToken cancel) throws IOException, InterruptedException {
		Path target = folder.resolve(file.name());
		Transfer t = new Transfer(file, folder.resolve(file.name() + ".part"));
		if (t.have > file.bytes()) {
			keepAside(t.part, file, listener, "is longer than the file (" + t.have + " bytes, not " + file.bytes() + ")");
			t.restart();
		}
		requireSpace(file, folder, file.bytes() - t.have);
		if (t.have > 0) hashInto(t.part, t.sha);
		IOException last = null;
		for (int attempt = 0; attempt <= options.retries(); attempt++) {
			if (attempt > 0) {
				if (t.rangeIgnored) t.restart();
				Duration pause = pause(attempt, last);
				listener.message(String.format(Locale.ROOT, "%s: %s; trying again in %s (attempt %d of %d), %s", file.name(), last.getMessage(),
					NetworkFailures.seconds(pause), attempt + 1, options.retries() + 1, t.nextStart()));
				sleep(pause.toMillis(), cancel, t);
			}
			if (cancel.isCancelled()) throw cancelled(t);
			try {
				fetch(t, from, listener, cancel);
			}
			catch (RetryableFailure e) {
				last = e;
				continue;
			}
			catch (DownloadCancelledException e) {
				throw e;
			}
			catch (ModelSetupException e) {
				throw new ModelSetupException(file.name() + ": " + e.getMessage() + "; " + t.kept(), e.getCause() != null ? e.getCause() : e);
			}
			if (t.have == file.bytes()) return finish(t, target, listener);
			last = new RetryableFailure("the connection ended at byte " + t.have + " of " + file.bytes());
		}
		throw new ModelSetupException(file.name() + ": the download failed " + (options.retries() + 1) + " times (the last time: " + last.getMessage()
			+ "); " + t.kept(), last);
	}

	/** The pause before attempt {@code attempt}: doubling from the first pause, at least what the server asked for. */
	private Duration pause(int attempt, IOException last) {
		Duration backoff = Duration.ofMillis(options.firstPause().toMillis() << Math.min(attempt - 1, 10));
		Duration asked = last instanceof RetryableFailure r ? r.retryAfter() : null;
		return asked != null && asked.compareTo(backoff) > 0 ? asked : backoff;
	}

	/**
	 * Copies {@code file} from {@code source} (a file downloaded elsewhere) into {@code folder}, checking its size first
	 * and its SHA-256 while it is copied; only a matching copy takes the file's name (the caller holds the folder's
	 * {@link #lock}). A copy that does not match is deleted: the source is still there.
	 *
	 * @return the verified file
	 */
	public Path copy(ModelFile file, Path source, Path folder, Listener listener, CancellationToken cancel) throws IOException {
		long size = Files.size(source);
		if (size != file.bytes()) {
			throw new ModelSetupException(source + " is " + size + " bytes, not the " + file.bytes() + " bytes of the official " + file.name()
				+ " (another file, or an unfinished download); it was not copied. Replace it with the official file, or download without it");
		}
		requireSpace(file, folder, file.bytes());
		Path target = folder.resolve(file.name());
		Path tmp = folder.resolve(file.name() + ".copying");
		MessageDigest sha = VerifiedFiles.newDigest();
		long done = 0, started = System.nanoTime();
		byte[] buf = new byte[1 << 20];
		try (InputStream in = Files.newInputStream(source); OutputStream out = Files.newOutputStream(tmp)) {
			for (int n; (n = in.read(buf)) > 0;) {
				write(out, buf, n, tmp);
				sha.update(buf, 0, n);
				done += n;
				double seconds = (System.nanoTime() - started) / 1e9;
				double speed = seconds > 0 ? done / seconds : Double.NaN;
				listener.progress(file, done, file.bytes(), speed, speed > 0 ? (file.bytes() - done) / speed : Double.NaN);
				if (cancel.isCancelled()) throw new DownloadCancelledException(file.name() + ": copying from " + source + " was cancelled; "
					+ "nothing of it was kept, the next run copies it again");
			}
		}
		catch (IOException e) {
			Files.deleteIfExists(tmp);
			throw e;
		}
		String got = HexFormat.of().formatHex(sha.digest());
		if (!got.equals(file.sha256())) {
			Files.deleteIfExists(tmp);
			throw new ModelSetupException(source + " has SHA-256 " + got + ", not " + file.sha256() + " of the official " + file.name()
				+ " (a damaged copy or another version); it was not copied, and " + folder + " is unchanged. Replace it with the official file");
		}
		Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		VerifiedFiles.of(folder).remember(file.name(), got);
		listener.message(file.name() + ": copied from " + source + " and verified (SHA-256)");
		Path part = folder.resolve(file.name() + ".part");
		if (Files.deleteIfExists(part)) listener.message(part.getFileName() + ", an unfinished download of the same file, was deleted");
		return target;
	}

	private void requireSpace(ModelFile file, Path folder, long need) throws IOException {
		long free = options.disk().usable(folder);
		if (free < need + options.reserveBytes()) {
			throw new ModelSetupException(String.format(Locale.ROOT, "%s needs %.2f GB more on the disk of %s, which has %.2f GB free "
				+ "(keeping %.2f GB spare)%s; free some space or choose another folder", file.name(), need / 1e9, folder, free / 1e9,
				options.reserveBytes() / 1e9, KeptAside.spaceNote(folder)));
		}
	}

	/**
	 * The size of the file at {@code from}, asked with a HEAD request (for files whose size is not pinned; their SHA-256
	 * still decides), or -1 when the server does not say.
	 */
	public long remoteSize(URI from) throws IOException, InterruptedException {
		HttpResponse<Void> r;
		try {
			r = requests.send(from, "HEAD", 0, HttpResponse.BodyHandlers.discarding());
		}
		catch (RetryableFailure e) {
			throw new ModelSetupException(e.getMessage(), e);
		}
		if (r.statusCode() == 404) throw new ModelSetupException(r.uri() + " does not exist (HTTP 404)");
		if (r.statusCode() != 200) throw new ModelSetupException(r.uri() + " answered HTTP " + r.statusCode());
		return r.headers().firstValueAsLong("Content-Length").orElse(-1);
	}

	private void fetch(Transfer t, URI from, Listener listener, CancellationToken cancel) throws IOException, InterruptedException {
		ModelFile file = t.file;
		HttpResponse<InputStream> r = requests.send(from, "GET", t.have, HttpResponse.BodyHandlers.ofInputStream());
		int status = r.statusCode();
		try (InputStream body = r.body()) {
			boolean append;
			if (status == 206 && t.have > 0) {
				Matcher m = CONTENT_RANGE.matcher(r.headers().firstValue("Content-Range").orElse(""));
				append = m.matches() && Long.parseLong(m.group(1)) == t.have;
				if (!append) throw new RetryableFailure("the server answered the resume with another range (" + r.headers().firstValue("Content-Range").orElse("none") + ")");
			}
			else if (status == 200) {
				if (t.have > 0) {
					listener.message(file.name() + ": the server ignored the request to resume at byte " + t.have + " and sent the whole file; "
						+ "restarted from the beginning (the " + t.have + " bytes received before are fetched again)");
					t.rangeIgnored = true;
					t.restart();
				}
				append = false;
			}
			else if (status == 416 && t.have == file.bytes()) {
				return; // everything is here already
			}
			else throw requests.statusError(file, r.uri(), status, r.headers());
			read(t, body, append, listener, cancel);
		}
	}

	/** Reads the body into the {@code .part} file, hashing it; a stall of the idle timeout ends the attempt. */
	private void read(Transfer t, InputStream body, boolean append, Listener listener, CancellationToken cancel) throws IOException {
		ModelFile file = t.file;
		long started = System.nanoTime(), fetched = 0;
		byte[] buf = new byte[1 << 20];
		try (IdleWatch watch = new IdleWatch(options.idleTimeout(), cancel, body);
			OutputStream out = Files.newOutputStream(t.part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
				append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING))
		{
			while (true) {
				int n;
				try {
					n = body.read(buf);
				}
				catch (IOException e) {
					if (watch.stalled()) throw stalled(t);
					if (cancel.isCancelled()) throw cancelled(t);
					throw new RetryableFailure("the connection broke at byte " + t.have + " of " + file.bytes() + " (" + e.getMessage() + ")");
				}
				if (n < 0) {
					if (watch.stalled()) throw stalled(t);
					if (cancel.isCancelled()) throw cancelled(t);
					return;
				}
				watch.touch();
				if (t.have + n > file.bytes()) throw new ModelSetupException("the server sent more than the " + file.bytes() + " bytes the file has");
				write(out, buf, n, t.part);
				t.sha.update(buf, 0, n);
				t.have += n;
				fetched += n;
				double seconds = (System.nanoTime() - started) / 1e9;
				double speed = seconds > 0 ? fetched / seconds : Double.NaN;
				listener.progress(file, t.have, file.bytes(), speed, speed > 0 ? (file.bytes() - t.have) / speed : Double.NaN);
				if (cancel.isCancelled()) throw cancelled(t);
			}
		}
	}

	private RetryableFailure stalled(Transfer t) {
		return new RetryableFailure("no data arrived for " + NetworkFailures.seconds(options.idleTimeout()) + " at byte " + t.have + " of "
			+ t.file.bytes() + " (the connection stalled)");
	}

	private static void write(OutputStream out, byte[] buf, int n, Path to) throws IOException {
		try {
			out.write(buf, 0, n);
		}
		catch (IOException e) {
			String why = String.valueOf(e.getMessage());
			if (why.contains("No space left") || why.contains("not enough space") || why.contains("Disk quota")) {
				throw new ModelSetupException("the disk of " + to.getParent() + " is full; free some space and run it again", e);
			}
			throw new ModelSetupException("cannot write " + to + ": " + why, e);
		}
	}

	private static Path finish(Transfer t, Path target, Listener listener) throws IOException {
		ModelFile file = t.file;
		String got = HexFormat.of().formatHex(t.sha.digest());
		if (!got.equals(file.sha256())) {
			KeptAside.Kept kept = KeptAside.keep(t.part, file.name(), listener, "has SHA-256 " + got);
			throw new ModelSetupException(file.name() + ": the downloaded file's SHA-256 is " + got + ", not " + file.sha256()
				+ " (corrupted on the way, or a different version upstream); it is kept as " + kept.path() + " and was not used" + kept.note()
				+ ". Run the download again.");
		}
		Files.move(t.part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		VerifiedFiles.of(target.getParent()).remember(file.name(), got);
		return target;
	}

	/**
	 * Moves a bad file out of the way as {@code NAME.corrupt-<time>}, deleting the older bad copies of that file (one is
	 * kept per file); the listener is told both. Returns the new name.
	 */
	public static Path keepAside(Path bad, ModelFile file, Listener listener, String why) throws IOException {
		return KeptAside.keep(bad, file.name(), listener, why).path();
	}

	private static void hashInto(Path part, MessageDigest sha) throws IOException {
		byte[] buf = new byte[1 << 20];
		try (InputStream in = Files.newInputStream(part)) {
			for (int n; (n = in.read(buf)) > 0;) sha.update(buf, 0, n);
		}
	}

	private static void sleep(long millis, CancellationToken cancel, Transfer t) throws InterruptedException, IOException {
		long end = System.currentTimeMillis() + millis;
		while (System.currentTimeMillis() < end) {
			if (cancel.isCancelled()) throw cancelled(t);
			Thread.sleep(Math.min(100, Math.max(1, end - System.currentTimeMillis())));
		}
	}

	private static DownloadCancelledException cancelled(Transfer t) {
		return new DownloadCancelledException(t.file.name() + ": download cancelled at " + t.have + " of " + t.file.bytes()
			+ " bytes; they are kept in " + t.part.getFileName() + (t.rangeIgnored ? ", but this server does not resume downloads: the next one starts again"
				: ", and the next download resumes there"));
	}
}
