package sc.fiji.stylecrafter.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Zip64 checkpoint over 4 GB, written sparse (the 4.4 GB storage is a hole on disk): the reader finds the Zip64
 * records, lists the huge tensor without reading it, and reads a small tensor stored past the 4 GB mark.
 */
class Zip64SparseTest {

	@TempDir
	Path tmp;

	private static final long BIG_NUMEL = 1_100_000_000L; // 4.4e9 bytes of float32

	@Test
	void readsZip64Offsets() throws IOException {
		Assumptions.assumeTrue(tmp.toFile().getUsableSpace() > (6L << 30), "skipped: less than 6 GB free for a sparse 4.4 GB file");
		Path f = tmp.resolve("big.pt");
		writeSparseZip64(f, false);
		assertTrue(Files.size(f) > (1L << 32));
		try (Checkpoint c = Checkpoints.open(f)) { // the small tensor lies beyond 4 GB: Zip64 offsets
			assertArrayEquals(new float[] { 1, 2, 3, 4 }, c.tensors().get("small").toFloatArray());
		}
		// a single storage over 2 GiB cannot be mapped as one region: a clear error when the file is opened
		Path g = tmp.resolve("bigger.pt");
		writeSparseZip64(g, true);
		CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> Checkpoints.open(g).close());
		assertTrue(e.getMessage().contains("cannot be read"), e.getMessage());
	}

	private static void writeSparseZip64(Path f, boolean referenceBig) throws IOException {
		PickleBuilder p = new PickleBuilder().proto().op('}');
		if (referenceBig) p.str("big").tensor("FloatStorage", "0", BIG_NUMEL, 0, new long[] { BIG_NUMEL }, new long[] { 1 }).op('s');
		byte[] pkl = p.str("small").tensor("FloatStorage", "1", 4, 0, new long[] { 4 }, new long[] { 1 }).op('s').op('.').bytes();
		byte[] small = PickleBuilder.floats(1, 2, 3, 4);
		String[] names = { "archive/data.pkl", "archive/data/0", "archive/data/1" };
		long[] sizes = { pkl.length, BIG_NUMEL * 4, small.length };
		long[] offsets = new long[3];
		try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.SPARSE)) {
			long pos = 0;
			for (int i = 0; i < 3; i++) {
				offsets[i] = pos;
				ByteBuffer h = localHeader(names[i], sizes[i]);
				pos += write(ch, h, pos);
				if (i == 0) pos += write(ch, ByteBuffer.wrap(pkl), pos);
				else if (i == 1) pos += sizes[1]; // the hole
				else pos += write(ch, ByteBuffer.wrap(small), pos);
			}
			long cdStart = pos;
			ByteArrayOutputStream cd = new ByteArrayOutputStream();
			long[] crcs = { crc(pkl), 0, crc(small) }; // the hole's CRC is never checked: it is refused or not read
			for (int i = 0; i < 3; i++) cd.writeBytes(centralHeader(names[i], sizes[i], offsets[i], crcs[i]));
			pos += write(ch, ByteBuffer.wrap(cd.toByteArray()), pos);
			long z64 = pos;
			ByteBuffer rec = le(56).putInt(0x06064b50).putLong(44).putShort((short) 45).putShort((short) 45).putInt(0).putInt(0)
				.putLong(3).putLong(3).putLong(cd.size()).putLong(cdStart);
			pos += write(ch, rec.flip(), pos);
			ByteBuffer loc = le(20).putInt(0x07064b50).putInt(0).putLong(z64).putInt(1);
			pos += write(ch, loc.flip(), pos);
			ByteBuffer eocd = le(22).putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) 0xFFFF)
				.putShort((short) 0xFFFF).putInt(0xFFFFFFFF).putInt(0xFFFFFFFF).putShort((short) 0);
			write(ch, eocd.flip(), pos);
		}
	}

	private static ByteBuffer le(int n) {
		return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
	}

	private static long write(FileChannel ch, ByteBuffer b, long pos) throws IOException {
		long n = 0;
		while (b.hasRemaining()) n += ch.write(b, pos + n);
		return n;
	}

	private static ByteBuffer localHeader(String name, long size) {
		byte[] n = name.getBytes(StandardCharsets.UTF_8);
		ByteBuffer b = le(30 + n.length + 20).putInt(0x04034b50).putShort((short) 45).putShort((short) 0).putShort((short) 0)
			.putInt(0).putInt(0).putInt(0xFFFFFFFF).putInt(0xFFFFFFFF).putShort((short) n.length).putShort((short) 20).put(n)
			.putShort((short) 1).putShort((short) 16).putLong(size).putLong(size);
		return b.flip();
	}

	private static long crc(byte[] b) {
		java.util.zip.CRC32 c = new java.util.zip.CRC32();
		c.update(b);
		return c.getValue();
	}

	private static byte[] centralHeader(String name, long size, long offset, long crc) {
		byte[] n = name.getBytes(StandardCharsets.UTF_8);
		ByteBuffer b = le(46 + n.length + 28).putInt(0x02014b50).putShort((short) 45).putShort((short) 45).putShort((short) 0)
			.putShort((short) 0).putInt(0).putInt((int) crc).putInt(0xFFFFFFFF).putInt(0xFFFFFFFF).putShort((short) n.length)
			.putShort((short) 28).putShort((short) 0).putShort((short) 0).putShort((short) 0).putInt(0).putInt(0xFFFFFFFF).put(n)
			.putShort((short) 1).putShort((short) 24).putLong(size).putLong(size).putLong(offset);
		return b.array();
	}
}
