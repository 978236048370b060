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
	private ByteBuffer mapped;

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

	/** The mapped region (little endian, position 0); call with the file's read lock held. */
	synchronized ByteBuffer buffer() throws IOException {
		if (mapped == null) {
			ByteBuffer m = file.map(offset, regionBytes);
			if (crc != NO_CRC) {
				CRC32 c = new CRC32();
				c.update(m.duplicate());
				if (c.getValue() != crc) {
					throw new CheckpointFormatException(file.path() + ": storage '" + PickleObjects.clip(name) + "' fails its CRC-32 check (stored "
						+ Long.toHexString(crc) + ", read " + Long.toHexString(c.getValue()) + "): the file is corrupt; download it again");
				}
			}
			mapped = m.slice(0, (int) bytes).order(m.order());
		}
		return mapped.duplicate().order(mapped.order());
	}
}
