package sc.fiji.stylecrafter.download;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.ProxySelector;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import sc.fiji.stylecrafter.task.CancellationToken;

/**
 * Downloads model files into a folder, safely: into {@code <name>.part} beside the target, resumed with an HTTP
 * Range request after an interruption (from scratch if the server ignores ranges), retried with growing pauses on
 * network and server errors, checked for free disk space first, hashed while it arrives, and renamed to its name only
 * after its SHA-256 matches; a file that does not match is kept aside as {@code <name>.corrupt-<time>}, never deleted
 * and never used. One download per folder at a time (a lock file, across programs). Proxies: see {@link #proxy()}.
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
	 * @param token a Hugging Face access token for gated files, or {@code null} ({@code HF_TOKEN} by default)
	 * @param disk free space
	 * @param reserveBytes free space to leave on the disk beyond the file
	 */
	public record Options(int retries, Duration firstPause, Duration connectTimeout, String token, DiskSpace disk, long reserveBytes) {

		public static Options defaults() {
			return new Options(5, Duration.ofSeconds(2), Duration.ofSeconds(30), System.getenv("HF_TOKEN"), DiskSpace.REAL, 256L << 20);
		}

		public Options withRetries(int retries, Duration firstPause) {
			return new Options(retries, firstPause, connectTimeout, token, disk, reserveBytes);
		}

		public Options withDisk(DiskSpace disk, long reserveBytes) {
			return new Options(retries, firstPause, connectTimeout, token, disk, reserveBytes);
		}
	}

	/** The lock file in a folder being downloaded into. */
	public static final String LOCK_FILE = ".stylecrafter-download.lock";

	private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
	private static final DateTimeFormatter ASIDE = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

	private final HttpClient http;
	private final Options options;

	public Downloader(Options options) {
		this.options = options;
		this.http = HttpClient.newBuilder().proxy(proxy()).followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(options.connectTimeout()).build();
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

	/** Takes the folder's download lock, or says that another download into it is running. */
	public static FolderLock lock(Path folder) throws IOException {
		Files.createDirectories(folder);
		FileChannel ch = FileChannel.open(folder.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
		FileLock l;
		try {
			l = ch.tryLock();
		}
		catch (OverlappingFileLockException e) {
			l = null;
		}
		if (l == null) {
			ch.close();
			throw new ModelSetupException("another download into " + folder + " is running (in this or another program); wait for it to finish");
		}
		return new FolderLock(ch, l);
	}

	/**
	 * Downloads {@code file} from {@code from} into {@code folder} (the caller holds the folder's {@link #lock}).
	 *
	 * @return the verified file
	 * @throws DownloadCancelledException when cancelled; the bytes fetched stay for the next attempt
	 * @throws ModelSetupException for every failure, saying what happened and what to do
	 */
	public Path download(ModelFile file, URI from, Path folder, Listener listener, CancellationToken cancel) throws IOException, InterruptedException {
		Path target = folder.resolve(file.name());
		Path part = folder.resolve(file.name() + ".part");
		long have = Files.isRegularFile(part) ? Files.size(part) : 0;
		if (have > file.bytes()) {
			keepAside(part, file, listener, "is longer than the file");
			have = 0;
		}
		long need = file.bytes() - have;
		long free = options.disk().usable(folder);
		if (free < need + options.reserveBytes()) {
			throw new ModelSetupException(String.format(Locale.ROOT, "%s needs %.2f GB more on the disk of %s, which has %.2f GB free "
				+ "(keeping %.2f GB spare); free some space or choose another folder", file.name(), need / 1e9, folder, free / 1e9,
				options.reserveBytes() / 1e9));
		}
		MessageDigest sha = VerifiedFiles.newDigest();
		if (have > 0) hashInto(part, sha);
		IOException last = null;
		for (int attempt = 0; attempt <= options.retries(); attempt++) {
			if (attempt > 0) {
				long pause = options.firstPause().toMillis() << Math.min(attempt - 1, 10);
				listener.message(String.format(Locale.ROOT, "%s: %s; trying again in %.0f s (attempt %d of %d), resuming at %d bytes", file.name(),
					last.getMessage(), pause / 1000.0, attempt + 1, options.retries() + 1, have));
				sleep(pause, cancel, file, have);
			}
			if (cancel.isCancelled()) throw cancelled(file, have);
			try {
				have = fetch(file, from, part, have, sha, listener, cancel);
			}
			catch (Retryable e) {
				last = e;
				have = Files.isRegularFile(part) ? Files.size(part) : 0;
				continue;
			}
			if (have == file.bytes()) return finish(file, target, part, sha, listener);
			last = new Retryable("the connection ended at byte " + have + " of " + file.bytes());
		}
		throw new ModelSetupException(file.name() + ": the download failed " + (options.retries() + 1) + " times (" + last.getMessage() + "); "
			+ have + " bytes are kept in " + part + " and the next attempt resumes there", last);
	}

	/**
	 * The size of the file at {@code from}, asked with a HEAD request (for files whose size is not pinned; their SHA-256
	 * still decides), or -1 when the server does not say.
	 */
	public long remoteSize(URI from) throws IOException, InterruptedException {
		HttpRequest req = HttpRequest.newBuilder(from).header("User-Agent", "StyleCrafter-for-Fiji").method("HEAD", HttpRequest.BodyPublishers.noBody()).build();
		HttpResponse<Void> r;
		try {
			r = http.send(req, HttpResponse.BodyHandlers.discarding());
		}
		catch (UnknownHostException | ConnectException e) {
			throw new ModelSetupException(unreachable(from), e);
		}
		if (r.statusCode() == 404) throw new ModelSetupException(from + " does not exist (HTTP 404)");
		if (r.statusCode() != 200) throw new ModelSetupException(from + " answered HTTP " + r.statusCode());
		return r.headers().firstValueAsLong("Content-Length").orElse(-1);
	}

	private static String unreachable(URI from) {
		return "cannot reach " + from.getHost() + " (no network, or a proxy is needed: set https.proxyHost or -Djava.net.useSystemProxies=true)";
	}

	/** A failure worth another attempt (network, server). */
	private static final class Retryable extends IOException {

		private static final long serialVersionUID = 1L;

		Retryable(String message) {
			super(message);
		}
	}

	private long fetch(ModelFile file, URI from, Path part, long have, MessageDigest sha, Listener listener, CancellationToken cancel)
		throws IOException, InterruptedException
	{
		HttpRequest.Builder rb = HttpRequest.newBuilder(from).header("User-Agent", "StyleCrafter-for-Fiji").GET();
		if (have > 0) rb.header("Range", "bytes=" + have + "-");
		if (options.token() != null && !options.token().isBlank()) rb.header("Authorization", "Bearer " + options.token());
		HttpResponse<InputStream> r;
		try {
			r = http.send(rb.build(), HttpResponse.BodyHandlers.ofInputStream());
		}
		catch (UnknownHostException | ConnectException e) {
			throw new Retryable(unreachable(from));
		}
		catch (IOException e) {
			throw new Retryable("network error: " + e.getMessage());
		}
		int status = r.statusCode();
		try (InputStream body = r.body()) {
			boolean append;
			if (status == 206 && have > 0) {
				Matcher m = CONTENT_RANGE.matcher(r.headers().firstValue("Content-Range").orElse(""));
				append = m.matches() && Long.parseLong(m.group(1)) == have;
				if (!append) throw new Retryable("the server answered the resume with another range (" + r.headers().firstValue("Content-Range").orElse("none") + ")");
			}
			else if (status == 200) {
				if (have > 0) {
					listener.message(file.name() + ": the server does not resume downloads; starting again from the beginning");
					have = 0;
					sha.reset();
				}
				append = false;
			}
			else if (status == 416 && have == file.bytes()) {
				return have; // everything is here already
			}
			else throw statusError(file, from, status);
			long started = System.nanoTime(), fetched = 0;
			byte[] buf = new byte[1 << 20];
			try (OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
				append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING))
			{
				while (true) {
					int n;
					try {
						n = body.read(buf);
					}
					catch (IOException e) {
						throw new Retryable("the connection broke at byte " + have + " of " + file.bytes() + " (" + e.getMessage() + ")");
					}
					if (n < 0) break;
					if (have + n > file.bytes()) throw new ModelSetupException(file.name() + ": the server sent more than the " + file.bytes() + " bytes the file has");
					write(out, buf, n, file, part, have);
					sha.update(buf, 0, n);
					have += n;
					fetched += n;
					double seconds = (System.nanoTime() - started) / 1e9;
					double speed = seconds > 0 ? fetched / seconds : Double.NaN;
					listener.progress(file, have, file.bytes(), speed, speed > 0 ? (file.bytes() - have) / speed : Double.NaN);
					if (cancel.isCancelled()) throw cancelled(file, have);
				}
			}
			return have;
		}
	}

	private static void write(OutputStream out, byte[] buf, int n, ModelFile file, Path part, long have) throws IOException {
		try {
			out.write(buf, 0, n);
		}
		catch (IOException e) {
			String why = String.valueOf(e.getMessage());
			if (why.contains("No space left") || why.contains("not enough space") || why.contains("Disk quota")) {
				throw new ModelSetupException(file.name() + ": the disk is full (" + have + " bytes kept in " + part
					+ "); free some space and run the download again, it resumes there", e);
			}
			throw new ModelSetupException(file.name() + ": cannot write " + part + ": " + why, e);
		}
	}

	private static IOException statusError(ModelFile file, URI from, int status) {
		switch (status) {
			case 401:
			case 403:
				return new ModelSetupException(file.name() + ": " + from + " refused access (HTTP " + status + "). If the repository "
					+ file.repository() + " is gated, accept its terms on its Hugging Face page while signed in, create an access token, "
					+ "and set it in the environment as HF_TOKEN (or place the file by hand)");
			case 404:
				return new ModelSetupException(file.name() + ": " + from + " does not exist (HTTP 404): the file was moved or the pinned revision "
					+ file.revision() + " is gone; place the file by hand or update StyleCrafter");
			default:
				if (status == 408 || status == 429 || status >= 500) return new Retryable("the server answered HTTP " + status);
				return new ModelSetupException(file.name() + ": " + from + " answered HTTP " + status);
		}
	}

	private Path finish(ModelFile file, Path target, Path part, MessageDigest sha, Listener listener) throws IOException {
		String got = HexFormat.of().formatHex(sha.digest());
		if (!got.equals(file.sha256())) {
			Path aside = keepAside(part, file, listener, "has SHA-256 " + got);
			throw new ModelSetupException(file.name() + ": the downloaded file's SHA-256 is " + got + ", not " + file.sha256()
				+ " (corrupted on the way, or a different version upstream); it is kept as " + aside + " and was not used. Run the download again.");
		}
		Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		VerifiedFiles.of(target.getParent()).remember(file.name(), got);
		return target;
	}

	/** Moves a bad file out of the way under a new name; returns that name. */
	public static Path keepAside(Path bad, ModelFile file, Listener listener, String why) throws IOException {
		Path aside = bad.resolveSibling(file.name() + ".corrupt-" + LocalDateTime.now().format(ASIDE));
		Files.move(bad, aside, StandardCopyOption.REPLACE_EXISTING);
		listener.message(bad.getFileName() + " " + why + "; kept aside as " + aside.getFileName());
		return aside;
	}

	private static void hashInto(Path part, MessageDigest sha) throws IOException {
		byte[] buf = new byte[1 << 20];
		try (InputStream in = Files.newInputStream(part)) {
			for (int n; (n = in.read(buf)) > 0;) sha.update(buf, 0, n);
		}
	}

	private static void sleep(long millis, CancellationToken cancel, ModelFile file, long have) throws InterruptedException, DownloadCancelledException {
		long end = System.currentTimeMillis() + millis;
		while (System.currentTimeMillis() < end) {
			if (cancel.isCancelled()) throw cancelled(file, have);
			Thread.sleep(Math.min(100, Math.max(1, end - System.currentTimeMillis())));
		}
	}

	private static DownloadCancelledException cancelled(ModelFile file, long have) {
		return new DownloadCancelledException(file.name() + ": download cancelled at " + have + " of " + file.bytes()
			+ " bytes; they are kept, and the next download resumes there");
	}
}
