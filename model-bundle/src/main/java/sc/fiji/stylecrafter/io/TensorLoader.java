package sc.fiji.stylecrafter.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Loads stored tensors into DJL {@link NDArray}s. Each tensor goes through one direct buffer of its own size (never a
 * copy of the whole file), freed as soon as libtorch has its own copy, is converted to the requested dtype and device
 * by libtorch, and ends up owned by the given manager.
 */
public final class TensorLoader {

	private TensorLoader() {}

	/** The DJL type of a stored dtype. */
	public static DataType djlType(TensorDType t) {
		switch (t) {
			case FLOAT32: return DataType.FLOAT32;
			case FLOAT16: return DataType.FLOAT16;
			case BFLOAT16: return DataType.BFLOAT16;
			case FLOAT64: return DataType.FLOAT64;
			case INT64: return DataType.INT64;
			case INT32: return DataType.INT32;
			case INT16: return DataType.INT16;
			case INT8: return DataType.INT8;
			case UINT8: return DataType.UINT8;
			case BOOL: return DataType.BOOLEAN;
			default: throw new IllegalArgumentException(t.toString());
		}
	}

	/**
	 * Reads {@code t} into a new array on {@code manager}'s device.
	 *
	 * <p>DJL 0.36's PyTorch engine aborts the whole process (a C++ {@code terminate}) when it creates or converts to
	 * bfloat16 or int16 tensors. Such tensors are therefore widened exactly on the Java side (bfloat16 to float32,
	 * int16 to int32), and those two types are refused as targets.
	 *
	 * @param target the dtype of the result, or {@code null} to keep the stored one (widened as above)
	 * @throws IllegalArgumentException for a bfloat16 or int16 target
	 */
	public static NDArray load(StoredTensor t, NDManager manager, DataType target) {
		if (target == DataType.BFLOAT16 || target == DataType.INT16) {
			throw new IllegalArgumentException(target + " tensors are not supported: DJL 0.36 (PyTorch engine) aborts the process when "
				+ "creating them; use float32 or float16");
		}
		Shape shape = new Shape(t.shape());
		DataType stored;
		ByteBuffer buf;
		if (t.dtype() == TensorDType.BFLOAT16 || t.dtype() == TensorDType.INT16) {
			boolean bf = t.dtype() == TensorDType.BFLOAT16;
			stored = bf ? DataType.FLOAT32 : DataType.INT32;
			float[] f = t.toFloatArray(); // exact for both
			buf = manager.allocateDirect(Math.multiplyExact(f.length, 4)).order(ByteOrder.LITTLE_ENDIAN);
			for (float v : f) {
				if (bf) buf.putFloat(v);
				else buf.putInt((int) v);
			}
			buf.flip();
		}
		else {
			stored = djlType(t.dtype());
			buf = manager.allocateDirect(Math.toIntExact(t.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
			t.copyTo(buf);
			buf.flip();
		}
		DataType want = target != null ? target : stored;
		try {
			try (NDManager scratch = manager.newSubManager(ai.djl.Device.cpu())) {
				// DJL creates this tensor over our direct buffer (no copy) and .to(device) may alias it, so clone
				// first: the clone is owned by libtorch and outlives the buffer.
				NDArray raw = scratch.create(buf, shape, stored);
				NDArray owned = raw.duplicate();
				NDArray out = owned.toDevice(manager.getDevice(), false).toType(want, false);
				out.attach(manager);
				return out;
			}
		}
		finally {
			DirectBuffers.free(buf); // the staging copy, now unreferenced: free it now, not at some later GC
		}
	}
}
