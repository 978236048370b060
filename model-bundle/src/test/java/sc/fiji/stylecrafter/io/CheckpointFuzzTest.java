package sc.fiji.stylecrafter.io;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutation fuzzing of the weight file readers with a fixed seed: each mutant of a real checkpoint must either list and
 * read cleanly or end in a {@link CheckpointFormatException}, within seconds. Three kinds of mutant: raw bytes of the
 * zip (the zip layer and the CRC checks), the pickle re-wrapped in a valid zip (so the unpickler itself sees the
 * mutation, not just a CRC failure), and the header of a safetensors file. Sources: the committed fixtures and, when
 * {@code -Dstylecrafter.golden} is set, the tiny {@code adapter_v1.pth} of the golden folder.
 */
class CheckpointFuzzTest {

	/** Fixed for CI; {@code -Dstylecrafter.fuzz.seed} and {@code -Dstylecrafter.fuzz.mutants} for longer runs by hand. */
	private static final long SEED = Long.getLong("stylecrafter.fuzz.seed", 20261125L);
	private static final int PER_KIND = Integer.getInteger("stylecrafter.fuzz.mutants", 100);
	private static final long MUTANT_SECONDS = 10;

	@TempDir
	static Path tmp;

	private static ExecutorService worker;

	@BeforeAll
	static void start() {
		worker = Executors.newSingleThreadExecutor(r -> {
			Thread t = new Thread(r, "fuzz-reader");
			t.setDaemon(true);
			return t;
		});
	}

	@AfterAll
	static void stop() {
		worker.shutdownNow();
	}

	private static List<Path> zipSources() {
		List<Path> s = new ArrayList<>(List.of(Fixtures.fixture("basic.pt"), Fixtures.fixture("lightning.ckpt"), Fixtures.fixture("nested.pt")));
		String golden = System.getProperty("stylecrafter.golden", "");
		Path adapter = golden.isBlank() || golden.startsWith("${") ? null : Path.of(golden, "adapter_v1.pth");
		if (adapter != null && Files.isRegularFile(adapter)) s.add(adapter);
		return s;
	}

	/** Counts of outcomes, per kind. */
	private static final class Tally {
		int clean, refused;
	}

	@Test
	void mutantsListCleanlyOrFailWithTheReadersOwnError() throws Exception {
		Random rnd = new Random(SEED);
		List<Path> sources = zipSources();
		Map<String, Tally> tallies = new LinkedHashMap<>();
		for (int i = 0; i < PER_KIND; i++) {
			Path src = sources.get(i % sources.size());
			byte[] raw = mutateBytes(Files.readAllBytes(src), rnd, 0);
			check("zip bytes", i, Files.write(tmp.resolve("m" + i + ".pt"), raw), tallies);
		}
		for (int i = 0; i < PER_KIND; i++) {
			Path src = sources.get(i % sources.size());
			check("pickle", i, rezipWithMutatedPickle(src, rnd, tmp.resolve("p" + i + ".pt")), tallies);
		}
		Path st = tmp.resolve("basic.safetensors");
		try (Checkpoint c = Checkpoints.open(Fixtures.fixture("basic.pt"))) {
			SafetensorsWriter.write(st, c.tensors(), Map.of("k", "v"));
		}
		byte[] stBytes = Files.readAllBytes(st);
		int headerEnd = 8 + (int) ByteBuffer.wrap(stBytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
		for (int i = 0; i < PER_KIND; i++) {
			byte[] m = mutateBytes(stBytes, rnd, headerEnd);
			check("safetensors header", i, Files.write(tmp.resolve("s" + i + ".safetensors"), m), tallies);
		}
		StringBuilder report = new StringBuilder("fuzz (seed " + SEED + "):");
		tallies.forEach((k, t) -> report.append(String.format(" %s %d clean / %d refused;", k, t.clean, t.refused)));
		System.out.println(report);
		for (Tally t : tallies.values()) assertTrue(t.refused > 0, "no mutant was refused: the mutations do not reach the reader");
	}

	/** Opens and reads every tensor of a mutant in the worker thread, with a time limit. */
	private static void check(String kind, int i, Path mutant, Map<String, Tally> tallies) throws Exception {
		Tally tally = tallies.computeIfAbsent(kind, k -> new Tally());
		Future<Throwable> f = worker.submit(() -> {
			try (Checkpoint c = Checkpoints.open(mutant)) {
				for (StoredTensor t : c.tensors().values()) t.toByteBuffer();
				return null;
			}
			catch (UncheckedIOException e) {
				return e.getCause();
			}
			catch (Throwable e) {
				return e;
			}
		});
		Throwable outcome;
		try {
			outcome = f.get(MUTANT_SECONDS, TimeUnit.SECONDS);
		}
		catch (TimeoutException e) {
			f.cancel(true);
			fail(kind + " mutant " + i + " (" + mutant + ") did not finish in " + MUTANT_SECONDS + " s");
			return;
		}
		if (outcome == null) tally.clean++;
		else if (outcome instanceof CheckpointFormatException) tally.refused++;
		else {
			throw new AssertionError(kind + " mutant " + i + " (" + mutant + ") failed with " + outcome.getClass().getName() + " instead of a CheckpointFormatException",
				outcome);
		}
		Files.delete(mutant);
	}

	/** One to three mutations at positions from {@code from} on: bit flips, random bytes, deletions, repeats, truncation. */
	static byte[] mutateBytes(byte[] in, Random rnd, int limitTo) {
		byte[] b = in.clone();
		int n = 1 + rnd.nextInt(3);
		for (int k = 0; k < n && b.length > 1; k++) {
			int end = limitTo > 0 ? Math.min(limitTo, b.length) : b.length;
			// half of the mutations in the last 5% (a zip's central directory) when the whole file is fair game
			int at = limitTo == 0 && rnd.nextBoolean() ? end - 1 - rnd.nextInt(Math.max(1, end / 20)) : rnd.nextInt(end);
			switch (rnd.nextInt(6)) {
				case 0: b[at] ^= (byte) (1 << rnd.nextInt(8)); break;
				case 1: b[at] = (byte) rnd.nextInt(256); break;
				case 2: b[at] = (byte) (rnd.nextBoolean() ? 0xFF : 0x00); break;
				case 3: { // delete a run
					int len = 1 + rnd.nextInt(Math.min(16, b.length - at));
					b = concat(Arrays.copyOfRange(b, 0, at), Arrays.copyOfRange(b, at + len, b.length));
					break;
				}
				case 4: { // repeat a run
					int len = 1 + rnd.nextInt(Math.min(64, b.length - at));
					b = concat(Arrays.copyOfRange(b, 0, at + len), Arrays.copyOfRange(b, at, b.length));
					break;
				}
				default: b = Arrays.copyOf(b, at); break; // truncate
			}
		}
		return b;
	}

	private static byte[] concat(byte[] a, byte[] c) {
		byte[] out = Arrays.copyOf(a, a.length + c.length);
		System.arraycopy(c, 0, out, a.length, c.length);
		return out;
	}

	/** The source's storages unchanged, its pickle mutated (mostly one byte, sometimes an opcode inserted). */
	private static Path rezipWithMutatedPickle(Path src, Random rnd, Path out) throws IOException {
		byte[] pickle = null;
		Map<String, byte[]> storages = new LinkedHashMap<>();
		try (ZipFile z = new ZipFile(src.toFile())) {
			for (ZipEntry e : java.util.Collections.list(z.entries())) {
				byte[] data = z.getInputStream(e).readAllBytes();
				String name = e.getName();
				if (name.endsWith("/data.pkl")) pickle = data;
				else if (name.contains("/data/")) storages.put(name.substring(name.lastIndexOf("/data/") + 6), data);
			}
		}
		byte[] p = pickle;
		if (rnd.nextInt(4) == 0) { // insert an opcode the reader knows, with random argument bytes
			byte[] ops = "(0128NJKMXq]ae)t}suhjrgbRQ.".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
			ByteArrayOutputStream ins = new ByteArrayOutputStream();
			ins.write(ops[rnd.nextInt(ops.length)]);
			for (int j = rnd.nextInt(5); j > 0; j--) ins.write(rnd.nextInt(256));
			int at = rnd.nextInt(p.length);
			p = concat(concat(Arrays.copyOfRange(p, 0, at), ins.toByteArray()), Arrays.copyOfRange(p, at, p.length));
		}
		else {
			p = mutateBytes(p, rnd, p.length);
		}
		return PickleBuilder.zip(out, p, storages, false);
	}
}
