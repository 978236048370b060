package sc.fiji.stylecrafter.download;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import sc.fiji.stylecrafter.model.Catalogue;

/**
 * A real HTTP server on the loopback for download tests, serving files by the last part of their path (so that both
 * {@code /models/NAME} and a mirror's {@code /org/repo/resolve/main/NAME} work), with switches for what goes wrong: no
 * Range support, a connection dropped after some bytes, a stall after some bytes, a flipped byte, an HTTP status (with
 * a Retry-After), a redirect to another server, a slow line. It records each request, its time and its Authorization.
 */
public final class ModelServer implements AutoCloseable {

	private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

	private final HttpServer server;
	private final java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newCachedThreadPool();
	private final Map<String, byte[]> files;
	final Map<String, AtomicLong> bytesSent = new ConcurrentHashMap<>();
	/** Each request: {@code NAME} or {@code NAME bytes=N-}. */
	public final List<String> requests = new CopyOnWriteArrayList<>();
	/** Each request: {@code PATH -> Authorization} ({@code none} when absent). */
	public final List<String> authorizations = new CopyOnWriteArrayList<>();
	/** Each request's {@link System#nanoTime}. */
	public final List<Long> times = new CopyOnWriteArrayList<>();

	public volatile boolean rangeSupported = true;
	/** Drop the connection after this many bytes of a response, for the next {@link #drops} responses. */
	public volatile long dropAfter = -1;
	public final AtomicLong drops = new AtomicLong();
	/** Flip the byte at this offset of every response of this file. */
	public volatile String corruptFile;
	public volatile long corruptAt = -1;
	/** Answer these statuses, in turn, before serving normally. */
	public final Map<String, List<Integer>> statuses = new ConcurrentHashMap<>();
	/** The Retry-After header sent with those statuses, or {@code null}. */
	public volatile String retryAfter;
	/** For the next responses in turn: send this many bytes of the body, then nothing (until the client gives up). */
	public final List<Long> stallAfter = new CopyOnWriteArrayList<>();
	/** Answer every request with a redirect to this base ({@code base + NAME}), or {@code null}. */
	public volatile URI redirectTo;
	/** Bytes per second, 0 for as fast as possible. */
	volatile long bytesPerSecond;

	public ModelServer(Map<String, byte[]> files) throws IOException {
		this.files = files;
		server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		server.setExecutor(threads);
		server.createContext("/", this::handle);
		server.start();
	}

	public URI base() {
		return base("127.0.0.1");
	}

	/** The base under another name of the loopback ({@code localhost}): another host to a client. */
	public URI base(String host) {
		return URI.create("http://" + host + ":" + server.getAddress().getPort() + "/models/");
	}

	/** The server's root under another name of the loopback, as a mirror's endpoint. */
	public URI root(String host) {
		return URI.create("http://" + host + ":" + server.getAddress().getPort());
	}

	public long sent(String name) {
		return bytesSent.computeIfAbsent(name, k -> new AtomicLong()).get();
	}

	private void handle(HttpExchange ex) throws IOException {
		String path = ex.getRequestURI().getPath();
		String name = path.substring(path.lastIndexOf('/') + 1);
		String range = ex.getRequestHeaders().getFirst("Range");
		times.add(System.nanoTime());
		String auth = ex.getRequestHeaders().getFirst("Authorization");
		authorizations.add(path + " -> " + (auth == null ? "none" : auth));
		requests.add(name + (range == null ? "" : " " + range));
		List<Integer> queued = statuses.get(name);
		if (queued != null && !queued.isEmpty()) {
			if (retryAfter != null) ex.getResponseHeaders().add("Retry-After", retryAfter);
			ex.sendResponseHeaders(queued.remove(0), -1);
			ex.close();
			return;
		}
		if (redirectTo != null) {
			ex.getResponseHeaders().add("Location", redirectTo.resolve(name).toString());
			ex.sendResponseHeaders(302, -1);
			ex.close();
			return;
		}
		byte[] data = files.get(name);
		if (data == null) {
			ex.sendResponseHeaders(404, -1);
			ex.close();
			return;
		}
		if (ex.getRequestMethod().equals("HEAD")) {
			ex.getResponseHeaders().add("Content-Length", String.valueOf(data.length));
			ex.sendResponseHeaders(200, -1);
			ex.close();
			return;
		}
		long from = 0;
		Matcher m = range == null ? null : RANGE.matcher(range);
		if (rangeSupported && m != null && m.matches()) from = Long.parseLong(m.group(1));
		if (from > 0) {
			ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (data.length - 1) + "/" + data.length);
			ex.sendResponseHeaders(206, data.length - from);
		}
		else ex.sendResponseHeaders(200, data.length);
		boolean drop = dropAfter >= 0 && drops.getAndDecrement() > 0;
		long stall = stallAfter.isEmpty() ? -1 : stallAfter.remove(0);
		AtomicLong counter = bytesSent.computeIfAbsent(name, k -> new AtomicLong());
		try (OutputStream out = ex.getResponseBody()) {
			long sentHere = 0;
			for (long at = from; at < data.length;) {
				if (stall >= 0 && sentHere >= stall) {
					out.flush();
					try {
						Thread.sleep(30_000); // the client gives up first; close() interrupts
					}
					catch (InterruptedException e) {
						Thread.currentThread().interrupt();
					}
					throw new IOException("stalled on purpose");
				}
				int n = (int) Math.min(stall > sentHere ? Math.min(16 << 10, stall - sentHere) : 16 << 10, data.length - at);
				byte[] chunk = java.util.Arrays.copyOfRange(data, (int) at, (int) at + n);
				if (name.equals(corruptFile) && corruptAt >= at && corruptAt < at + n) chunk[(int) (corruptAt - at)] ^= 0x40;
				if (drop && sentHere + n > dropAfter) {
					out.write(chunk, 0, (int) (dropAfter - sentHere));
					counter.addAndGet(dropAfter - sentHere);
					out.flush();
					ex.getHttpContext().getServer(); // keep the exchange referenced
					throw new IOException("connection dropped on purpose"); // the server closes it mid-body
				}
				out.write(chunk);
				counter.addAndGet(n);
				sentHere += n;
				at += n;
				if (bytesPerSecond > 0) {
					try {
						Thread.sleep(Math.max(1, n * 1000L / bytesPerSecond));
					}
					catch (InterruptedException e) {
						Thread.currentThread().interrupt();
						return;
					}
				}
			}
		}
	}

	@Override
	public void close() {
		server.stop(0);
		threads.shutdownNow();
	}

	/** The golden folder's five files served under their names, and a catalogue of them (sizes and SHA-256 computed). */
	public record Golden(ModelServer server, Catalogue catalogue) implements AutoCloseable {

		@Override
		public void close() {
			server.close();
		}
	}

	public static Golden golden(java.nio.file.Path golden) throws IOException {
		Map<String, byte[]> files = new java.util.LinkedHashMap<>();
		List<ModelFile> entries = new java.util.ArrayList<>();
		for (ModelFile official : Catalogue.OFFICIAL.files()) {
			byte[] b = java.nio.file.Files.readAllBytes(golden.resolve(official.name()));
			files.put(official.name(), b);
			String sha = java.util.HexFormat.of().formatHex(VerifiedFiles.newDigest().digest(b));
			entries.add(new ModelFile(official.name(), official.repository(), official.revision(), official.pathInRepository(), b.length, sha, official.licence()));
		}
		ModelServer server = new ModelServer(files);
		return new Golden(server, Catalogue.at(server.base(), entries));
	}
}
