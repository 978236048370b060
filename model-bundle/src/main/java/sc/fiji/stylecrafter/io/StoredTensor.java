package sc.fiji.stylecrafter.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * One tensor of a weight file, not yet read: dtype, shape, strides and where its elements lie in a storage. Reading
 * copies the elements, in row-major order, out of the memory-mapped file; nothing is read until asked. Valid until the
 * {@link Checkpoint} it came from is closed. Thread-safe.
 */
public final class StoredTensor {

	/** The most dimensions a tensor may have (the official files' tensors have at most 5). */
	static final int MAX_RANK = 16;
	/**
	 * The largest tensor that may have more elements than its storage (a stride-0 or overlapping view, as
	 * {@code torch.save} keeps an expanded buffer): small buffers are fine, but a few stored bytes must not stand for
	 * gigabytes.
	 */
	static final long MAX_EXPANDED_BYTES = 16L << 20;

	private final TensorDType dtype;
	private final long[] shape;
	private final long[] strides;
	private final long storageOffset;
	private final Storage storage;
	private final long numel;

	/**
	 * Checks the view against its storage before anything is read.
	 *
	 * @param storageOffset offset of element 0, in elements
	 * @throws CheckpointFormatException if a dimension or stride is negative, the element count overflows, the view
	 *           has more elements than its storage or reaches beyond it
	 */
	StoredTensor(TensorDType dtype, long[] shape, long[] strides, long storageOffset, Storage storage, String what)
		throws CheckpointFormatException
	{
		if (shape.length != strides.length) {
			throw new CheckpointFormatException(what + ": shape " + Arrays.toString(shape) + " and strides " + Arrays.toString(strides) + " differ in rank");
		}
		if (shape.length > MAX_RANK) throw new CheckpointFormatException(what + ": rank " + shape.length + " exceeds " + MAX_RANK);
		long n = 1, last = storageOffset;
		try {
			for (int i = 0; i < shape.length; i++) {
				if (shape[i] < 0) throw new CheckpointFormatException(what + ": negative dimension in shape " + Arrays.toString(shape));
				if (strides[i] < 0) throw new CheckpointFormatException(what + ": negative stride in " + Arrays.toString(strides));
				n = Math.multiplyExact(n, shape[i]);
			}
			if (n > 0) {
				for (int i = 0; i < shape.length; i++) last = Math.addExact(last, Math.multiplyExact(shape[i] - 1, strides[i]));
			}
		}
		catch (ArithmeticException e) {
			throw new CheckpointFormatException(what + ": shape " + Arrays.toString(shape) + " overflows the element count");
		}
		if (storageOffset < 0) throw new CheckpointFormatException(what + ": negative storage offset " + storageOffset);
		long storageElems = storage.bytes() / dtype.bytes();
		if (n > storageElems && n > MAX_EXPANDED_BYTES / dtype.bytes()) {
			// stride-0 or overlapping views: a few bytes could stand for gigabytes once read
			throw new CheckpointFormatException(what + ": shape " + Arrays.toString(shape) + " with strides " + Arrays.toString(strides) + " has " + n
				+ " elements but its storage '" + PickleObjects.clip(storage.name()) + "' holds only " + storageElems + " (it needs " + (last + 1)
				+ " elements); expanded views may have at most " + MAX_EXPANDED_BYTES + " bytes");
		}
		if (n > 0 && last >= storageElems) {
			throw new CheckpointFormatException(what + ": shape " + Arrays.toString(shape) + " with strides " + Arrays.toString(strides)
				+ " at offset " + storageOffset + " needs " + (last + 1) + " elements but its storage '" + storage.name() + "' holds " + storageElems);
		}
		this.dtype = dtype;
		this.shape = shape.clone();
		this.strides = strides.clone();
		this.storageOffset = storageOffset;
		this.storage = storage;
		this.numel = n;
	}

	public TensorDType dtype() {
		return dtype;
	}

	public long[] shape() {
		return shape.clone();
	}

	public int rank() {
		return shape.length;
	}

	public long numel() {
		return numel;
	}

	public long byteSize() {
		return numel * dtype.bytes();
	}

	/** Dimensions joined by {@code x} ({@code 320x4x3x3}); empty for a scalar. */
	public String shapeString() {
		return Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining("x"));
	}

	/** True if the elements are stored in row-major order without gaps. */
	public boolean isContiguous() {
		long expected = 1;
		for (int i = shape.length - 1; i >= 0; i--) {
			if (shape[i] != 1 && strides[i] != expected) return false;
			expected *= shape[i];
		}
		return true;
	}

	/**
	 * Copies the elements, row-major and little endian, into {@code dst} starting at its position, which advances by
	 * {@link #byteSize()}.
	 */
	public void copyTo(ByteBuffer dst) {
		checkSizeReadable();
		if (dst.remaining() < byteSize()) {
			throw new IllegalArgumentException("destination has " + dst.remaining() + " bytes left, tensor needs " + byteSize());
		}
		MappedFile file = storage.file();
		file.readLock().lock();
		try {
			file.ensureOpen();
			if (numel == 0) return;
			int es = dtype.bytes();
			if (isContiguous()) {
				storage.copyTo(storageOffset * es, Math.toIntExact(numel * es), dst);
				return;
			}
			copyStrided(storage.buffer(), dst, es);
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		finally {
			file.readLock().unlock();
		}
	}

	private void copyStrided(ByteBuffer src, ByteBuffer dst, int es) {
		int rank = shape.length;
		long[] idx = new long[rank];
		long inner = shape[rank - 1], innerStride = strides[rank - 1];
		byte[] run = new byte[(int) Math.min(inner * es, 1 << 20)];
		for (long done = 0; done < numel; done += inner) {
			long base = storageOffset;
			for (int d = 0; d < rank - 1; d++) base += idx[d] * strides[d];
			if (innerStride == 1 && inner * es <= run.length) {
				src.get(Math.toIntExact(base * es), run, 0, (int) (inner * es));
				dst.put(run, 0, (int) (inner * es));
			}
			else {
				for (long j = 0; j < inner; j++) {
					int at = Math.toIntExact((base + j * innerStride) * es);
					for (int b = 0; b < es; b++) dst.put(src.get(at + b));
				}
			}
			for (int d = rank - 2; d >= 0; d--) {
				if (++idx[d] < shape[d]) break;
				idx[d] = 0;
			}
		}
	}

	/** Java buffers hold at most 2 GiB; no official StyleCrafter tensor comes near (the largest is 200 MB). */
	private void checkSizeReadable() {
		if (byteSize() > Storage.MAX_BYTES) {
			throw new UncheckedIOException(new CheckpointFormatException("tensor " + this + " has " + byteSize()
				+ " bytes; tensors over 2 GiB cannot be read"));
		}
	}

	/** The elements in a new little-endian heap buffer. */
	public ByteBuffer toByteBuffer() {
		checkSizeReadable();
		ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(byteSize())).order(ByteOrder.LITTLE_ENDIAN);
		copyTo(b);
		return b.flip();
	}

	/** The elements converted to float (float16/bfloat16 widened exactly; integers and bool as their values). */
	public float[] toFloatArray() {
		ByteBuffer b = toByteBuffer();
		float[] out = new float[Math.toIntExact(numel)];
		for (int i = 0; i < out.length; i++) {
			switch (dtype) {
				case FLOAT32: out[i] = b.getFloat(); break;
				case FLOAT16: out[i] = HalfFloats.halfToFloat(b.getShort()); break;
				case BFLOAT16: out[i] = Float.intBitsToFloat((b.getShort() & 0xFFFF) << 16); break;
				case FLOAT64: out[i] = (float) b.getDouble(); break;
				case INT64: out[i] = b.getLong(); break;
				case INT32: out[i] = b.getInt(); break;
				case INT16: out[i] = b.getShort(); break;
				case INT8: out[i] = b.get(); break;
				case UINT8: case BOOL: out[i] = b.get() & 0xFF; break;
				default: throw new IllegalStateException(dtype.toString());
			}
		}
		return out;
	}

	@Override
	public String toString() {
		return "StoredTensor[" + dtype.torchName() + " " + Arrays.toString(shape) + "]";
	}
}
