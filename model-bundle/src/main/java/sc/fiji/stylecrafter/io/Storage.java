package sc.fiji.stylecrafter.io;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The raw bytes behind one or more tensors: a region of a {@link MappedFile}, mapped on first use. Several tensors may
 * share one storage (views, tied weights), each with its own offset and strides.
 */
final class Storage {

	private final MappedFile file;
	private final String name;
	private final long offset;
	private final long bytes;
	private ByteBuffer mapped;

	Storage(MappedFile file, String name, long offset, long bytes) {
		this.file = file;
		this.name = name;
		this.offset = offset;
		this.bytes = bytes;
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
		if (mapped == null) mapped = file.map(offset, bytes);
		return mapped.duplicate().order(mapped.order());
	}
}
