package sc.fiji.stylecrafter.io;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Broken and hostile files end in a clear {@link CheckpointFormatException}, never a crash or a huge allocation. */
class HostileFilesTest {

	@TempDir
	Path tmp;

	private static void assertRejected(Path file, String... fragments) {
		CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> {
			try (Checkpoint c = Checkpoints.open(file)) {
				for (StoredTensor t : c.tensors().values()) t.toFloatArray();
			}
			catch (java.io.UncheckedIOException u) {
				throw u.getCause(); // reading a tensor reports a corrupt storage this way
			}
		});
		for (String f : fragments) assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' lacks '" + f + "'");
	}

	private Path zip(byte[] pickle, Map<String, byte[]> storages) throws IOException {
		return PickleBuilder.zip(Files.createTempFile(tmp, "hostile", ".pt"), pickle, storages, false);
	}

	@ParameterizedTest
	@ValueSource(doubles = { 0.1, 0.5, 0.9, 0.99 })
	void truncatedZip(double keep) throws IOException {
		byte[] all = Files.readAllBytes(Fixtures.fixture("basic.pt"));
		Path f = Files.write(tmp.resolve("cut.pt"), Arrays.copyOf(all, (int) (all.length * keep)));
		assertRejected(f, "cut.pt");
	}

	@Test
	void wrongMagicAndEmptyFile() throws IOException {
		assertRejected(Files.write(tmp.resolve("gif.pt"), "GIF89a not a checkpoint at all".getBytes()), "neither a PyTorch checkpoint");
		assertRejected(Files.write(tmp.resolve("empty.pt"), new byte[0]), "empty");
	}

	@Test
	void pickleCallingOsSystem() {
		assertRejected(Fixtures.fixture("evil_os_system.pt"), "system", "can run code");
	}

	@Test
	void unknownGlobalOnTheTensorPath() {
		assertRejected(Fixtures.fixture("unknown_global_on_path.pt"), "fixture_classes.Holder", "state_dict");
	}

	@Test
	void builtinsEvalIsRefusedWherever() throws IOException {
		byte[] p = new PickleBuilder().proto().op('}').str("x").global("builtins", "eval").str("1+1").op(0x85).op('R').op('s').op('.').bytes();
		assertRejected(zip(p, Map.of()), "builtins.eval");
	}

	@Test
	void legacyFormatSaysHowToConvert() {
		assertRejected(Fixtures.fixture("legacy.pt"), "legacy", "torch.save");
	}

	@Test
	void storageSmallerThanTheTensorClaims() throws IOException {
		byte[] p = PickleBuilder.singleTensor("FloatStorage", 4, 0, new long[] { 10 }, new long[] { 1 });
		assertRejected(zip(p, Map.of("0", PickleBuilder.floats(1, 2, 3, 4))), "needs 10 elements", "holds 4");
	}

	@Test
	void storageLargerThanItsEntry() throws IOException {
		byte[] p = PickleBuilder.singleTensor("FloatStorage", 1000, 0, new long[] { 4 }, new long[] { 1 });
		assertRejected(zip(p, Map.of("0", PickleBuilder.floats(1, 2, 3, 4))), "claims 1000", "16 bytes");
	}

	@Test
	void offsetBeyondTheStorage() throws IOException {
		byte[] p = PickleBuilder.singleTensor("FloatStorage", 4, 3, new long[] { 2 }, new long[] { 1 });
		assertRejected(zip(p, Map.of("0", PickleBuilder.floats(1, 2, 3, 4))), "at offset 3");
	}

	@Test
	void negativeShape() throws IOException {
		byte[] p = PickleBuilder.singleTensor("FloatStorage", 4, 0, new long[] { -4 }, new long[] { 1 });
		assertRejected(zip(p, Map.of("0", PickleBuilder.floats(1, 2, 3, 4))), "negative dimension");
	}

	@Test
	void hugeShapeOverflowsWithoutAllocating() throws IOException {
		byte[] p = PickleBuilder.singleTensor("FloatStorage", 4, 0, new long[] { 1L << 40, 1L << 40 }, new long[] { 1L << 40, 1 });
		assertRejected(zip(p, Map.of("0", PickleBuilder.floats(1, 2, 3, 4))), "overflows");
		byte[] q = PickleBuilder.singleTensor("FloatStorage", 4, 0, new long[] { 1L << 35 }, new long[] { 1 });
		assertRejected(zip(q, Map.of("0", PickleBuilder.floats(1, 2, 3, 4))), "needs 34359738368 elements");
	}

	@Test
	void hugeDeclaredStringLength() throws IOException {
		byte[] p = new PickleBuilder().proto().op('X').int32(Integer.MAX_VALUE).op('.').bytes();
		assertRejected(zip(p, Map.of()), "declared length 2147483647");
	}

	@Test
	void missingStorageEntry() throws IOException {
		byte[] p = PickleBuilder.singleTensor("FloatStorage", 4, 0, new long[] { 4 }, new long[] { 1 });
		assertRejected(zip(p, Map.of()), "storage '0' is missing");
	}

	@Test
	void unknownStorageType() throws IOException {
		byte[] p = PickleBuilder.singleTensor("EvilStorage", 4, 0, new long[] { 4 }, new long[] { 1 });
		assertRejected(zip(p, Map.of("0", PickleBuilder.floats(1, 2, 3, 4))), "torch.EvilStorage");
	}

	@Test
	void compressedStorage() throws IOException {
		byte[] p = PickleBuilder.singleTensor("FloatStorage", 4, 0, new long[] { 4 }, new long[] { 1 });
		Path f = PickleBuilder.zip(tmp.resolve("deflated.pt"), p, Map.of("0", PickleBuilder.floats(1, 2, 3, 4)), true);
		assertRejected(f, "compressed");
	}

	@Test
	void opcodesOutsideTheDataSubset() throws IOException {
		assertRejected(zip(new PickleBuilder().proto().op(0x82, 1).op('.').bytes(), Map.of()), "opcode 0x82");
		assertRejected(zip(new PickleBuilder().proto().op('}').bytes(), Map.of()), "no STOP");
		assertRejected(zip(new PickleBuilder().proto().op('a').op('.').bytes(), Map.of()), "underflow");
		assertRejected(zip(new PickleBuilder().proto().op('h', 7).op('.').bytes(), Map.of()), "memo entry 7");
	}

	@Test
	void cyclicContainers() throws IOException {
		byte[] p = new PickleBuilder().proto().op(']').op('q', 0).op('h', 0).op('a').op('.').bytes();
		assertRejected(zip(p, Map.of()), "cyclic");
	}

	@Test
	void zipWithoutDataPkl() throws IOException {
		Path f = tmp.resolve("plain.zip");
		try (var z = new java.util.zip.ZipOutputStream(Files.newOutputStream(f))) {
			z.putNextEntry(new java.util.zip.ZipEntry("readme.txt"));
			z.write("hello".getBytes());
			z.closeEntry();
		}
		assertRejected(f, "no <archive>/data.pkl");
	}
}
