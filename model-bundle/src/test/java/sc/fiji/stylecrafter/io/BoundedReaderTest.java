package sc.fiji.stylecrafter.io;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The readers are bounded by design: each case is one the hardening campaign found (a hang, a stack overflow, gigabytes
 * from a few bytes, a raw exception, silently different weights), made here from scratch. Each must end quickly in a
 * {@link CheckpointFormatException} whose message says what is wrong.
 */
class BoundedReaderTest {

	@TempDir
	Path tmp;

	private static final Duration QUICK = Duration.ofSeconds(20);

	/** Opens and reads every tensor; returns the error's message. */
	private static String rejected(Path file) {
		CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> assertTimeoutPreemptively(QUICK, () -> {
			try (Checkpoint c = Checkpoints.open(file)) {
				for (StoredTensor t : c.tensors().values()) t.toByteBuffer();
			}
			catch (UncheckedIOException u) {
				throw u.getCause();
			}
		}));
		return e.getMessage();
	}

	private static void assertMentions(String message, String... fragments) {
		for (String f : fragments) assertTrue(message.contains(f), "message '" + message + "' lacks '" + f + "'");
	}

	private Path zip(byte[] pickle) throws IOException {
		return PickleBuilder.zip(Files.createTempFile(tmp, "p", ".pt"), pickle, Map.of("0", PickleBuilder.floats(1, 2, 3, 4)), false);
	}

	@Test
	void textOpcodesWithBadNumbersNameTheirOffset() throws IOException {
		assertMentions(rejected(zip(new PickleBuilder().proto().op('N').op('p').text("abc").op('.').bytes())), "bad memo index 'abc'", "at byte 3");
		assertMentions(rejected(zip(new PickleBuilder().proto().op('g').text("1x").op('.').bytes())), "bad memo index");
		assertMentions(rejected(zip(new PickleBuilder().proto().op('F').text("1.5.5").op('.').bytes())), "bad FLOAT");
		assertMentions(rejected(zip(new PickleBuilder().proto().op('F').text("Infinity").op('.').bytes())), "bad FLOAT");
		assertMentions(rejected(zip(new PickleBuilder().proto().op('L').text("9".repeat(5000) + "L").op('.').bytes())), "digits");
	}

	@Test
	void deepNestingIsRefusedWithoutRecursion() throws IOException {
		PickleBuilder p = new PickleBuilder().proto().op('}').str("w");
		int depth = 10_000;
		for (int i = 0; i < depth; i++) p.op(']');
		for (int i = 1; i < depth; i++) p.op('a');
		p.op('s').op('.');
		assertMentions(rejected(zip(p.bytes())), "nest more than " + TorchCheckpoint.MAX_DEPTH);
	}

	@Test
	void unhashableAndSelfContainingKeysAreRefused() throws IOException {
		// l = []; l.append(l); {l: None}
		byte[] p = new PickleBuilder().proto().op('}').op(']').op('q', 0).op('h', 0).op('a').op('N').op('s').op('.').bytes();
		assertMentions(rejected(zip(p)), "dict key is a ArrayList");
		// a tuple nested 10,000 deep as a key
		PickleBuilder t = new PickleBuilder().proto().op('}').op('N');
		for (int i = 0; i < 10_000; i++) t.op(0x85);
		t.op('N').op('s').op('.');
		assertMentions(rejected(zip(t.bytes())), "dict key is a PyTuple");
	}

	@Test
	void sharedReferencesCannotExplodeTheTree() throws IOException {
		// T = (T, T) forty times: 2^40 paths from an 80-byte pickle
		PickleBuilder p = new PickleBuilder().proto().op('}').str("w").op('N');
		for (int i = 0; i < 40; i++) p.op('2').op(0x86);
		assertMentions(rejected(zip(p.op('s').op('.').bytes())), "expands to more than");
		// 2^24 references to one tensor
		PickleBuilder q = new PickleBuilder().proto().op('}').str("w").tensor("FloatStorage", "0", 4, 0, new long[] { 4 }, new long[] { 1 });
		for (int i = 0; i < 24; i++) q.op('2').op(0x86);
		assertMentions(rejected(zip(q.op('s').op('.').bytes())), "expands to more than");
	}

	@Test
	void pushesAndMemoAreBounded() throws IOException {
		PickleBuilder p = new PickleBuilder().proto();
		for (int i = 0; i <= Unpickler.MAX_VALUES; i++) p.op('N');
		assertMentions(rejected(zip(p.op('.').bytes())), "pushes more than " + Unpickler.MAX_VALUES);
		PickleBuilder m = new PickleBuilder().proto().op('N');
		for (int i = 0; i <= Unpickler.MAX_MEMO; i++) m.op('r').int32(i);
		assertMentions(rejected(zip(m.op('.').bytes())), "memo exceeds");
	}

	@Test
	void hugeIntegersAreRefusedBeforeTheyAreUsed() throws IOException {
		byte[] big = new byte[100_000];
		big[big.length - 1] = 1;
		PickleBuilder p = new PickleBuilder().proto().op('}').op(0x8b).int32(big.length).raw(big).op('N').op('s').op('.');
		assertMentions(rejected(zip(p.bytes())), "integer of 100000 bytes");
	}

	@Test
	void stridedViewsCannotMultiplyTheirStorage() throws IOException {
		byte[] p = PickleBuilder.singleTensor("FloatStorage", 4, 0, new long[] { 1L << 28 }, new long[] { 0 });
		assertMentions(rejected(zip(p)), "expanded views may have at most");
	}

	@Test
	void aDeclaredPickleSizeIsCheckedBeforeAllocating() throws IOException {
		Path f = tmp.resolve("inflated.pt");
		byte[] pickle = PickleBuilder.singleTensor("FloatStorage", 4, 0, new long[] { 4 }, new long[] { 1 });
		try (var z = new java.util.zip.ZipOutputStream(Files.newOutputStream(f))) {
			z.putNextEntry(new java.util.zip.ZipEntry("archive/data.pkl")); // deflated
			z.write(pickle);
			z.closeEntry();
		}
		byte[] b = Files.readAllBytes(f);
		int cen = indexOf(b, new byte[] { 0x50, 0x4b, 0x01, 0x02 });
		ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(cen + 24, 1 << 30); // declares 1 GiB
		Files.write(f, b);
		long before = usedHeap();
		assertMentions(rejected(f), "declares 1073741824 bytes");
		assertTrue(usedHeap() - before < (256L << 20), "refused after allocating");
	}

	@Test
	void duplicateEntriesAreRefused() throws IOException {
		byte[] good = PickleBuilder.singleTensor("FloatStorage", 4, 0, new long[] { 4 }, new long[] { 1 });
		byte[] evil = new PickleBuilder().proto().global("os", "system").str("echo hi").tuple().op('R').op('.').bytes();
		Path f = tmp.resolve("dup.pt");
		PickleBuilder.zip(f, evil, Map.of("0", PickleBuilder.floats(1, 2, 3, 4), "dup", good), false);
		byte[] b = Files.readAllBytes(f);
		// rename archive/data/dup to archive/data.pkl (same length) in its local and central headers
		byte[] from = "archive/data/dup".getBytes(StandardCharsets.US_ASCII), to = "archive/data.pkl".getBytes(StandardCharsets.US_ASCII);
		for (int at = indexOf(b, from); at >= 0; at = indexOf(b, from)) System.arraycopy(to, 0, b, at, to.length);
		Files.write(f, b);
		assertMentions(rejected(f), "two entries named 'archive/data.pkl'");
	}

	@Test
	void everyFlippedByteOfAStorageIsCaught() throws IOException {
		Path src = Fixtures.fixture("basic.pt");
		byte[] b = Files.readAllBytes(src);
		Map<String, ZipDirectory.Entry> entries;
		try (var ch = java.nio.channels.FileChannel.open(src)) {
			entries = ZipDirectory.read(ch, "basic.pt");
		}
		int flipped = 0;
		for (ZipDirectory.Entry e : entries.values()) {
			if (!e.name().contains("/data/") || e.size() == 0) continue;
			for (long at = e.dataOffset(); at < e.dataOffset() + e.size(); at += Math.max(1, e.size() / 7)) {
				byte[] m = b.clone();
				m[(int) at] ^= 0x10;
				assertMentions(rejected(Files.write(tmp.resolve("flip.pt"), m)), "CRC-32");
				flipped++;
			}
		}
		assertTrue(flipped > 20, "only " + flipped + " bytes tried");
		// the pickle too, at open
		ZipDirectory.Entry pkl = entries.values().stream().filter(e -> e.name().endsWith("data.pkl")).findFirst().orElseThrow();
		byte[] m = b.clone();
		m[(int) pkl.dataOffset() + 10] ^= 1;
		assertMentions(rejected(Files.write(tmp.resolve("flip.pt"), m)), "data.pkl' fails its CRC-32");
	}

	@Test
	void localHeadersMustAgreeWithTheDirectory() throws IOException {
		byte[] b = Files.readAllBytes(Fixtures.fixture("basic.pt"));
		int loc = indexOf(b, new byte[] { 0x50, 0x4b, 0x03, 0x04 });
		byte[] m = b.clone();
		m[loc + 30] ^= 0x01; // first byte of the local name
		assertMentions(rejected(Files.write(tmp.resolve("loc.pt"), m)), "local header");
		m = b.clone();
		m[loc + 28] = 4; // extra field length: the data would start 4 bytes later
		String msg = rejected(Files.write(tmp.resolve("loc2.pt"), m));
		assertTrue(msg.contains("CRC-32") || msg.contains("local header"), msg);
	}

	private static long usedHeap() {
		Runtime r = Runtime.getRuntime();
		return r.totalMemory() - r.freeMemory();
	}

	static int indexOf(byte[] hay, byte[] needle) {
		outer:
		for (int i = 0; i + needle.length <= hay.length; i++) {
			for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
			return i;
		}
		return -1;
	}
}
