package sc.fiji.stylecrafter.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * The central directory of a zip file, read by hand so that the byte offset of each stored entry is known and the
 * entry can be memory-mapped instead of inflated into the heap. Supports Zip64 (files and entries over 4 GB).
 * Every size and offset is checked against the file length before it is used.
 */
final class ZipDirectory {

	/** One entry: where its data starts in the file, and how it is stored. */
	record Entry(String name, int method, long compressedSize, long size, long dataOffset, long crc) {

		boolean stored() {
			return method == 0;
		}
	}

	private static final int EOCD_SIG = 0x06054b50;
	private static final int ZIP64_LOCATOR_SIG = 0x07064b50;
	private static final int ZIP64_EOCD_SIG = 0x06064b50;
	private static final int CEN_SIG = 0x02014b50;
	private static final int LOC_SIG = 0x04034b50;
	private static final long MAX_ENTRIES = 10_000_000;
	private static final long MAX_CENTRAL_DIRECTORY = 1L << 30;

	private ZipDirectory() {}

	static Map<String, Entry> read(FileChannel ch, String what) throws IOException {
		long fileSize = ch.size();
		if (fileSize < 22) throw new CheckpointFormatException(what + " is too short to be a zip file (" + fileSize + " bytes)");
		int tailLen = (int) Math.min(fileSize, 22 + 65535);
		ByteBuffer tail = readAt(ch, fileSize - tailLen, tailLen);
		int eocd = -1;
		for (int i = tailLen - 22; i >= 0; i--) {
			if (tail.getInt(i) == EOCD_SIG) {
				eocd = i;
				break;
			}
		}
		if (eocd < 0) {
			throw new CheckpointFormatException(what + " has no zip end-of-central-directory record: the file is truncated or not a zip archive");
		}
		long entries = Short.toUnsignedLong(tail.getShort(eocd + 10));
		long cdSize = Integer.toUnsignedLong(tail.getInt(eocd + 12));
		long cdOffset = Integer.toUnsignedLong(tail.getInt(eocd + 16));
		long eocdPos = fileSize - tailLen + eocd;
		if (entries == 0xFFFF || cdSize == 0xFFFFFFFFL || cdOffset == 0xFFFFFFFFL) {
			if (eocdPos < 20) throw new CheckpointFormatException(what + ": Zip64 locator missing");
			ByteBuffer loc = readAt(ch, eocdPos - 20, 20);
			if (loc.getInt(0) != ZIP64_LOCATOR_SIG) throw new CheckpointFormatException(what + ": Zip64 locator missing before the end record");
			long z64 = loc.getLong(8);
			if (z64 < 0 || z64 + 56 > eocdPos) throw new CheckpointFormatException(what + ": Zip64 end record offset " + z64 + " is outside the file");
			ByteBuffer rec = readAt(ch, z64, 56);
			if (rec.getInt(0) != ZIP64_EOCD_SIG) throw new CheckpointFormatException(what + ": bad Zip64 end record signature");
			entries = rec.getLong(32);
			cdSize = rec.getLong(40);
			cdOffset = rec.getLong(48);
		}
		if (entries < 0 || entries > MAX_ENTRIES || entries * 46 > cdSize) throw new CheckpointFormatException(what + ": implausible zip entry count " + entries);
		if (cdSize < 0 || cdOffset < 0 || cdSize > MAX_CENTRAL_DIRECTORY || cdOffset + cdSize > fileSize) {
			throw new CheckpointFormatException(what + ": central directory (offset " + cdOffset + ", " + cdSize
				+ " bytes) lies outside the file of " + fileSize + " bytes; the file is truncated or corrupt");
		}
		ByteBuffer cd = readAt(ch, cdOffset, (int) cdSize);
		Map<String, Entry> out = new LinkedHashMap<>();
		int p = 0;
		for (long n = 0; n < entries; n++) {
			if (p + 46 > cdSize || cd.getInt(p) != CEN_SIG) throw new CheckpointFormatException(what + ": corrupt central directory entry " + n);
			int method = Short.toUnsignedInt(cd.getShort(p + 10));
			long crc = Integer.toUnsignedLong(cd.getInt(p + 16));
			long csize = Integer.toUnsignedLong(cd.getInt(p + 20));
			long usize = Integer.toUnsignedLong(cd.getInt(p + 24));
			int nameLen = Short.toUnsignedInt(cd.getShort(p + 28));
			int extraLen = Short.toUnsignedInt(cd.getShort(p + 30));
			int commentLen = Short.toUnsignedInt(cd.getShort(p + 32));
			long locOffset = Integer.toUnsignedLong(cd.getInt(p + 42));
			if (p + 46L + nameLen + extraLen + commentLen > cdSize) throw new CheckpointFormatException(what + ": corrupt central directory entry " + n);
			byte[] nameBytes = new byte[nameLen];
			cd.get(p + 46, nameBytes);
			String name = new String(nameBytes, StandardCharsets.UTF_8);
			// Zip64 extended information: the fields that are 0xFFFFFFFF, in this order.
			int e = p + 46 + nameLen, eEnd = e + extraLen;
			while (e + 4 <= eEnd) {
				int id = Short.toUnsignedInt(cd.getShort(e));
				int len = Short.toUnsignedInt(cd.getShort(e + 2));
				if (e + 4 + len > eEnd) break;
				if (id == 0x0001) {
					int q = e + 4;
					if (usize == 0xFFFFFFFFL && q + 8 <= e + 4 + len) { usize = cd.getLong(q); q += 8; }
					if (csize == 0xFFFFFFFFL && q + 8 <= e + 4 + len) { csize = cd.getLong(q); q += 8; }
					if (locOffset == 0xFFFFFFFFL && q + 8 <= e + 4 + len) { locOffset = cd.getLong(q); }
				}
				e += 4 + len;
			}
			p += 46 + nameLen + extraLen + commentLen;
			if (csize < 0 || usize < 0 || locOffset < 0 || locOffset + 30 > fileSize) {
				throw new CheckpointFormatException(what + ": entry '" + name + "' has a header offset outside the file; the file is truncated or corrupt");
			}
			ByteBuffer loc = readAt(ch, locOffset, (int) Math.min(30L + nameLen, fileSize - locOffset));
			if (loc.getInt(0) != LOC_SIG) throw new CheckpointFormatException(what + ": entry '" + name + "' has no local header at offset " + locOffset);
			int localNameLen = Short.toUnsignedInt(loc.getShort(26));
			if (Short.toUnsignedInt(loc.getShort(8)) != method || localNameLen != nameLen || loc.limit() != 30 + nameLen
				|| !loc.slice(30, nameLen).equals(ByteBuffer.wrap(nameBytes)))
			{
				throw new CheckpointFormatException(what + ": entry '" + name + "': its local header (offset " + locOffset
					+ ") disagrees with the central directory on name or compression; the file is corrupt");
			}
			long dataOffset = locOffset + 30 + localNameLen + Short.toUnsignedInt(loc.getShort(28));
			if (dataOffset + csize > fileSize) {
				throw new CheckpointFormatException(what + ": entry '" + name + "' needs bytes " + dataOffset + ".." + (dataOffset + csize)
					+ " but the file has only " + fileSize + " bytes; the file is truncated");
			}
			if (method == 0 && csize != usize) throw new CheckpointFormatException(what + ": stored entry '" + name + "' has inconsistent sizes");
			if (out.put(name, new Entry(name, method, csize, usize, dataOffset, crc)) != null) {
				throw new CheckpointFormatException(what + ": the zip holds two entries named '" + name + "'; which one counts is ambiguous, so the file is refused");
			}
		}
		return out;
	}

	/** Checks a whole entry's bytes (from position to limit) against its CRC-32. */
	static void checkCrc(Entry e, ByteBuffer data, String what) throws CheckpointFormatException {
		CRC32 c = new CRC32();
		c.update(data);
		if (c.getValue() != e.crc()) {
			throw new CheckpointFormatException(what + ": entry '" + e.name() + "' fails its CRC-32 check (stored " + Long.toHexString(e.crc()) + ", read "
				+ Long.toHexString(c.getValue()) + "): the file is corrupt; download it again");
		}
	}

	static ByteBuffer readAt(FileChannel ch, long pos, int len) throws IOException {
		ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
		while (b.hasRemaining()) {
			int r = ch.read(b, pos + b.position());
			if (r < 0) throw new CheckpointFormatException("unexpected end of file at byte " + (pos + b.position()));
		}
		return b.flip();
	}
}
