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
 * A real HTTP server on the loopback for download tests, serving files by name, with switches for what goes wrong:
 * no Range support, a connection dropped after some bytes, a flipped byte, an HTTP status, a slow line.
 */
public final class ModelServer implements AutoCloseable {

	private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

	private final HttpServer server;
	private final Map<String, byte[]> files;
	final Map<String, AtomicLong> bytesSent = new ConcurrentHashMap<>();
	public final List<String> requests = new CopyOnWriteArrayList<>();

	public volatile boolean rangeSupported = true;
	/** Drop the connection after this many bytes of a response, for the next {@link #drops} responses. */
	public volatile long dropAfter = -1;
	public final AtomicLong drops = new AtomicLong();
	/** Flip the byte at this offset of every response of this file. */
	public volatile String corruptFile;
	public volatile long corruptAt = -1;
	/** Answer these statuses, in turn, before serving normally. */
	public final Map<String, List<Integer>> statuses = new ConcurrentHashMap<>();
	/** Bytes per second, 0 for as fast as possible. */
	volatile long bytesPerSecond;

	public ModelServer(Map<String, byte[]> files) throws IOException {
		this.files = files;
		server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
		server.createContext("/", this::handle);
		server.start();
	}

	public URI base() {
		return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/models/");
	}

	public long sent(String name) {
		return bytesSent.computeIfAbsent(name, k -> new AtomicLong()).get();
	}

	private void handle(HttpExchange ex) throws IOException {
		String name = ex.getRequestURI().getPath().substring("/models/".length());
		String range = ex.getRequestHeaders().getFirst("Range");
		requests.add(name + (range == null ? "" : " " + range));
		List<Integer> queued = statuses.get(name);
		if (queued != null && !queued.isEmpty()) {
			ex.sendResponseHeaders(queued.remove(0), -1);
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
		AtomicLong counter = bytesSent.computeIfAbsent(name, k -> new AtomicLong());
		try (OutputStream out = ex.getResponseBody()) {
			long sentHere = 0;
			for (long at = from; at < data.length;) {
				int n = (int) Math.min(16 << 10, data.length - at);
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
