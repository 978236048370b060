package sc.fiji.stylecrafter.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;

class AttentionTest {

	@Test
	void chunkedAttentionEqualsTheWholeAndFreesItsScratch() {
		try (NDManager m = NDManager.newBaseManager()) {
			m.getEngine().setRandomSeed(3);
			NDArray q = m.randomNormal(new Shape(7, 2, 33, 8)), k = m.randomNormal(new Shape(7, 2, 20, 8)), v = m.randomNormal(new Shape(7, 2, 20, 8));
			NDArray whole = Attention.manual(q, k, v, 0.35f, null, Long.MAX_VALUE);
			int before = m.getManagedArrays().size();
			NDArray chunked = Attention.manual(q, k, v, 0.35f, null, 2 * 33 * 20 * 4 * 3); // 3 samples per chunk
			assertArrayEquals(whole.toFloatArray(), chunked.toFloatArray(), 1e-6f);
			assertArrayEquals(whole.getShape().getShape(), chunked.getShape().getShape());
			// slices, parts and the result remain; no score matrices
			assertEquals(true, m.getManagedArrays().size() - before < 20, "arrays left: " + (m.getManagedArrays().size() - before));
		}
	}

	@Test
	void maskIsAdditive() {
		try (NDManager m = NDManager.newBaseManager()) {
			NDArray q = m.ones(new Shape(1, 1, 2, 4)), k = m.ones(new Shape(1, 1, 2, 4));
			NDArray v = m.create(new float[] { 1, 1, 1, 1, 3, 3, 3, 3 }, new Shape(1, 1, 2, 4));
			NDArray mask = m.create(new float[] { 0, Float.NEGATIVE_INFINITY, 0, 0 }, new Shape(2, 2));
			float[] out = Attention.scaledDotProduct(q, k, v, 1f, mask).toFloatArray();
			assertEquals(1f, out[0], 1e-6f); // first query sees only the first key
			assertEquals(2f, out[4], 1e-6f); // second sees both equally
		}
	}
}
