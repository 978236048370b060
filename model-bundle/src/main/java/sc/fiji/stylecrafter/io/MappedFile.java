package sc.fiji.stylecrafter.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A weight file opened read-only whose regions are memory-mapped on demand, so that reading a multi-gigabyte
 * checkpoint needs no heap of its size. Mapped buffers never leave this package: callers receive copies. Closing
 * the file unmaps every region at once (guarded by a lock, so no reader can touch an unmapped region).
 */
final class MappedFile implements AutoCloseable {

	private final Path path;
	private final FileChannel channel;
	private final long size;
	private final List<MappedByteBuffer> mappings = new ArrayList<>();
	private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
	private boolean closed;

	MappedFile(Path path) throws IOException {
		this.path = path;
		this.channel = FileChannel.open(path, StandardOpenOption.READ);
		this.size = channel.size();
	}

	Path path() {
		return path;
	}

	long size() {
		return size;
	}

	FileChannel channel() {
		return channel;
	}

	/** Maps {@code length} bytes at {@code offset}; the caller must hold {@link #readLock()} while using it. */
	ByteBuffer map(long offset, long length) throws IOException {
		if (offset < 0 || length < 0 || offset + length > size) {
			throw new CheckpointFormatException(path + ": region " + offset + "+" + length + " lies outside the file of " + size + " bytes");
		}
		if (length > Integer.MAX_VALUE) {
			throw new CheckpointFormatException(path + ": a single storage of " + length + " bytes exceeds the 2 GiB a region may have");
		}
		lock.readLock().lock(); // reentrant: callers usually hold it already; close() waits for it
		try {
			ensureOpen();
			MappedByteBuffer m = channel.map(FileChannel.MapMode.READ_ONLY, offset, length);
			synchronized (mappings) {
				mappings.add(m);
			}
			return m.duplicate().order(ByteOrder.LITTLE_ENDIAN);
		} finally {
			lock.readLock().unlock();
		}
	}

	/** Held while copying out of mapped regions; {@link #close()} waits for it. */
	ReentrantReadWriteLock.ReadLock readLock() {
		return lock.readLock();
	}

	void ensureOpen() {
		if (closed) throw new IllegalStateException(path + " has been closed; its tensors can no longer be read");
	}

	@Override
	public void close() throws IOException {
		lock.writeLock().lock();
		try {
			if (closed) return;
			closed = true;
			for (MappedByteBuffer m : mappings) DirectBuffers.free(m);
			mappings.clear();
			channel.close();
		} finally {
			lock.writeLock().unlock();
		}
	}
}
