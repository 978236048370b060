package sc.fiji.stylecrafter.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;

/**
 * The raw bytes behind one or more tensors: a region of a {@link MappedFile}, mapped on first use. Several tensors may
 * share one storage (views, tied weights), each with its own offset and strides. A storage that is a zip entry has
 * its CRC-32 checked over the whole entry when it is first mapped, before any tensor reads from it.
 */
final class Storage {

	/** Java buffers hold at most 2 GiB; the official files' largest storage has 0.2 GB. */
	static final long MAX_BYTES = Integer.MAX_VALUE - 16;

	/** No checksum to check (safetensors has none). */
	static final long NO_CRC = -1;

	private final MappedFile file;
	private final String name;
	private final long offset;
	private final long bytes;
	private final long regionBytes;
	private final long crc;
	private ByteBuffer region;
	private ByteBuffer mapped;
	private boolean verified;

	/** A region without a checksum, all of it usable. */
	Storage(MappedFile file, String name, long offset, long bytes) {
		this(file, name, offset, bytes, bytes, NO_CRC);
	}

	/**
	 * @param bytes the bytes tensors may use (from the start of the region)
	 * @param regionBytes the bytes the checksum covers: the whole zip entry
	 * @param crc the entry's CRC-32, or {@link #NO_CRC}
	 */
	Storage(MappedFile file, String name, long offset, long bytes, long regionBytes, long crc) {
		if (bytes > regionBytes) throw new IllegalArgumentException("storage '" + name + "' uses more bytes than its region has");
		this.file = file;
		this.name = name;
		this.offset = offset;
		this.bytes = bytes;
		this.regionBytes = regionBytes;
		this.crc = crc;
	}

	String name() {
		return name;
	}

	long bytes() {
		return bytes;
	}

	MappedFile file() {
		return file;
	}

	/** The mapped region (little endian, position 0), its checksum verified; call with the file's read lock held. */
	synchronized ByteBuffer buffer() throws IOException {
		ByteBuffer m = mapped();
		if (!verified) {
			CRC32 c = new CRC32();
			c.update(region.duplicate());
			check(c.getValue());
		}
		return m.duplicate().order(m.order());
	}

	/**
	 * Copies {@code len} bytes from {@code offset} into {@code dst}. When they are the whole checked region and it has
	 * not been checked yet, the checksum is computed chunk by chunk as the bytes are copied (one pass over the file's
	 * pages instead of two), and a mismatch is reported after the copy.
	 */
	void copyTo(long offset, int len, ByteBuffer dst) throws IOException {
		boolean fused;
		ByteBuffer m;
		synchronized (this) {
			m = mapped();
			fused = !verified && offset == 0 && len == regionBytes;
		}
		if (!fused) {
			dst.put(buffer().slice((int) offset, len));
			return;
		}
		CRC32 c = new CRC32();
		for (int pos = 0; pos < len; pos += CHUNK) {
			ByteBuffer chunk = m.slice(pos, Math.min(CHUNK, len - pos));
			dst.put(chunk.duplicate());
			c.update(chunk); // still in the cache
		}
		synchronized (this) {
			if (!verified) check(c.getValue());
		}
	}

	/** Bytes copied and checked at a time: fits in a core's L2 cache. */
	private static final int CHUNK = 256 << 10;

	private ByteBuffer mapped() throws IOException {
		if (mapped == null) {
			region = file.map(offset, regionBytes);
			mapped = region.slice(0, (int) bytes).order(region.order());
			verified = crc == NO_CRC;
		}
		return mapped;
	}

	private void check(long value) throws CheckpointFormatException {
		if (value != crc) {
			throw new CheckpointFormatException(file.path() + ": storage '" + PickleObjects.clip(name) + "' fails its CRC-32 check (stored "
				+ Long.toHexString(crc) + ", read " + Long.toHexString(value) + "): the file is corrupt; download it again");
		}
		verified = true;
	}
}
