package sc.fiji.stylecrafter.batch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

/**
 * Exclusive claims on batch entries, so that any number of workers (processes on one machine or on many, sharing the
 * output folder, a network file system included) make each entry once. A worker claims an entry before generating it
 * by creating {@code .claims/<entry>.claim} exclusively (naming host, process and start time), touches it at every
 * step, and deletes it when the entry is written or has failed. A claim may be taken over when its process is gone (on
 * the same host) or when it has not been touched for longer than the stale limit (any host): it is first moved aside
 * atomically, so of several workers that find it stale only one takes it.
 */
final class Claims {

	/** The claims' folder inside the output folder. */
	static final String FOLDER = ".claims";
	/** Touch a claim at most this often. */
	private static final Duration HEARTBEAT = Duration.ofSeconds(10);

	/** Who holds a claim. */
	record Holder(String host, long pid, String started) {

		/** {@code host:pid}. */
		String worker() {
			return host + ":" + pid;
		}
	}

	private final Path dir;
	private final Holder me;
	private final Duration stale;
	private Instant lastBeat = Instant.EPOCH;

	Claims(Path outDir, Duration stale) {
		this.dir = outDir.resolve(FOLDER);
		this.me = self();
		this.stale = stale;
	}

	/** This process as a claim holder. */
	static Holder self() {
		ProcessHandle p = ProcessHandle.current();
		return new Holder(host(), p.pid(), p.info().startInstant().map(Instant::toString).orElse(""));
	}

	/** The host's name, as the kernel knows it (no DNS lookup, which can hang on a cluster node). */
	static String host() {
		try {
			Path f = Path.of("/proc/sys/kernel/hostname");
			if (Files.isReadable(f)) return Files.readString(f, StandardCharsets.UTF_8).trim();
		}
		catch (IOException e) {
			// below
		}
		String h = System.getenv("HOSTNAME");
		if (h == null) h = System.getenv("COMPUTERNAME");
		return h == null || h.isBlank() ? "localhost" : h;
	}

	Holder me() {
		return me;
	}

	private Path file(String entry) {
		return dir.resolve(entry + ".claim");
	}

	/**
	 * Claims {@code entry} for this worker.
	 *
	 * @return empty when claimed, else the live worker that holds it
	 */
	Optional<Holder> claim(String entry) throws IOException {
		Files.createDirectories(dir);
		Path f = file(entry);
		for (int attempt = 0; attempt < 5; attempt++) {
			try {
				Files.writeString(f, json(me), StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
				lastBeat = Instant.now();
				return Optional.empty();
			}
			catch (FileAlreadyExistsException e) {
				Optional<Holder> h = holder(f);
				if (h.isPresent() && alive(h.get(), f)) return h;
				Path aside = dir.resolve(entry + ".claim.stale-" + me.host() + "-" + me.pid() + "-" + System.nanoTime());
				try {
					Files.move(f, aside, StandardCopyOption.ATOMIC_MOVE);
				}
				catch (NoSuchFileException gone) {
					continue; // another worker took it aside first: try to create it again
				}
				Optional<Holder> moved = holder(aside);
				if (moved.isPresent() && alive(moved.get(), aside)) {
					// between the check and the move, another worker had taken it over: give it back
					try {
						Files.move(aside, f, StandardCopyOption.ATOMIC_MOVE);
					}
					catch (IOException x) {
						Files.deleteIfExists(aside);
					}
					return moved;
				}
				Files.deleteIfExists(aside);
			}
		}
		return holder(f).or(() -> Optional.of(new Holder("?", -1, "")));
	}

	/** Marks progress on a claimed entry (at most every ten seconds), so that it is not taken for stale. */
	void heartbeat(String entry) {
		Instant now = Instant.now();
		if (Duration.between(lastBeat, now).compareTo(HEARTBEAT) < 0) return;
		lastBeat = now;
		try {
			Files.setLastModifiedTime(file(entry), FileTime.from(now));
		}
		catch (IOException e) {
			// a lost heartbeat makes the claim look older; it is checked again at the next step
		}
	}

	/** Deletes this worker's claim on {@code entry} (not another's). */
	void release(String entry) {
		Path f = file(entry);
		try {
			if (holder(f).filter(me::equals).isPresent()) Files.deleteIfExists(f);
		}
		catch (IOException e) {
			// left behind: its process is gone when this one ends, so the next worker takes it over
		}
	}

	/** The live worker holding {@code entry}, if any. */
	Optional<Holder> heldBy(String entry) {
		Path f = file(entry);
		Optional<Holder> h = holder(f);
		return h.filter(x -> alive(x, f));
	}

	/** Whether a claim's holder may still be working: its process is there (same host), or the claim was touched recently. */
	boolean alive(Holder h, Path f) {
		if (h.host().equals(me.host())) {
			Optional<ProcessHandle> p = ProcessHandle.of(h.pid());
			if (p.isEmpty() || !p.get().isAlive()) return false;
			String started = p.get().info().startInstant().map(Instant::toString).orElse("");
			if (!h.started().isEmpty() && !started.isEmpty() && !h.started().equals(started)) return false; // the pid was reused
		}
		try {
			return Duration.between(Files.getLastModifiedTime(f).toInstant(), Instant.now()).compareTo(stale) < 0;
		}
		catch (IOException e) {
			return false;
		}
	}

	private static String json(Holder h) {
		JsonObject o = new JsonObject();
		o.addProperty("host", h.host());
		o.addProperty("pid", h.pid());
		o.addProperty("started", h.started());
		o.addProperty("claimed", Instant.now().toString());
		return o + "\n";
	}

	/** The holder a claim file names; a file being written (empty) counts as held by an unknown live worker until stale. */
	private Optional<Holder> holder(Path f) {
		try {
			String text = Files.readString(f, StandardCharsets.UTF_8);
			if (text.isBlank()) return Optional.of(new Holder("?", -1, ""));
			JsonObject o = JsonParser.parseString(text).getAsJsonObject();
			return Optional.of(new Holder(o.get("host").getAsString(), o.get("pid").getAsLong(), o.has("started") ? o.get("started").getAsString() : ""));
		}
		catch (NoSuchFileException e) {
			return Optional.empty();
		}
		catch (IOException | JsonParseException | IllegalStateException | NullPointerException | UnsupportedOperationException e) {
			return Optional.of(new Holder("?", -1, ""));
		}
	}
}
