package sc.fiji.stylecrafter.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import org.junit.jupiter.api.Test;

class TensorLoaderTest {

	@Test
	void loadsEveryDtypeWithItsValuesOntoTheManager() throws IOException {
		try (Checkpoint c = Checkpoints.open(Fixtures.fixture("basic.pt")); NDManager m = NDManager.newBaseManager()) {
			for (var e : c.tensors().entrySet()) {
				StoredTensor t = e.getValue();
				NDArray a = TensorLoader.load(t, m, null);
				DataType want = t.dtype() == TensorDType.BFLOAT16 ? DataType.FLOAT32
					: t.dtype() == TensorDType.INT16 ? DataType.INT32 : TensorLoader.djlType(t.dtype());
				assertEquals(want, a.getDataType(), e.getKey());
				assertArrayEquals(t.shape(), a.getShape().getShape(), e.getKey());
				NDArray f = TensorLoader.load(t, m, DataType.FLOAT32);
				assertArrayEquals(t.toFloatArray(), f.toFloatArray(), 0f, e.getKey());
			}
		}
	}

	@Test
	void freesItsStagingBuffersAtOnce() throws IOException {
		java.lang.management.BufferPoolMXBean direct = java.lang.management.ManagementFactory.getPlatformMXBeans(
			java.lang.management.BufferPoolMXBean.class).stream().filter(b -> b.getName().equals("direct")).findFirst().orElseThrow();
		try (Checkpoint c = Checkpoints.open(Fixtures.fixture("basic.pt")); NDManager m = NDManager.newBaseManager()) {
			long before = direct.getMemoryUsed();
			long staged = 0;
			for (int round = 0; round < 200; round++) {
				for (StoredTensor t : c.tensors().values()) {
					try (NDArray a = TensorLoader.load(t, m, null)) {
						staged += t.byteSize();
					}
				}
			}
			long kept = direct.getMemoryUsed() - before;
			// before the fix every staging buffer stayed reserved until a garbage collection
			assertTrue(kept < staged / 10, "direct memory still reserved: " + kept + " of " + staged + " bytes staged");
		}
	}

	@Test
	void convertsToHalfPrecisionAsTorchRounds() throws IOException {
		try (Checkpoint c = Checkpoints.open(Fixtures.fixture("basic.pt")); NDManager m = NDManager.newBaseManager()) {
			StoredTensor t = c.tensors().get("shared_full");
			NDArray h = TensorLoader.load(t, m, DataType.FLOAT16);
			assertEquals(DataType.FLOAT16, h.getDataType());
			float[] want = t.toFloatArray();
			for (int i = 0; i < want.length; i++) want[i] = HalfFloats.roundToHalf(want[i]);
			assertArrayEquals(want, h.toType(DataType.FLOAT32, false).toFloatArray(), 0f);
		}
	}

	@Test
	void bfloat16TargetIsRefusedNotACrash() throws IOException {
		try (Checkpoint c = Checkpoints.open(Fixtures.fixture("basic.pt")); NDManager m = NDManager.newBaseManager()) {
			StoredTensor t = c.tensors().get("param");
			IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
				() -> TensorLoader.load(t, m, DataType.BFLOAT16));
			org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("float16"));
		}
	}

	@Test
	void halfConversionsMatchIeeeForAllPatterns() {
		for (int bits = 0; bits < 0x10000; bits++) {
			float f = HalfFloats.halfToFloat((short) bits);
			if (Float.isNaN(f)) continue;
			assertEquals((short) bits, HalfFloats.floatToHalf(f), "pattern " + Integer.toHexString(bits));
		}
		assertEquals(1.0009765625f, HalfFloats.roundToHalf(1.00048828125f + 1e-7f)); // rounds up past the tie
		assertEquals(1.0f, HalfFloats.roundToHalf(1.00048828125f)); // tie to even
	}
}
