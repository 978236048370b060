package sc.fiji.stylecrafter.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Map;
import java.util.SortedMap;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Files written by real PyTorch (see src/test/python/make_fixtures.py) read back exactly as PyTorch reads them. */
class TorchCheckpointTest {

	@ParameterizedTest
	@ValueSource(strings = { "basic.pt", "nested.pt", "lightning.ckpt" })
	void listsKeysDtypesShapesAndValuesAsPyTorch(String name) throws IOException {
		JsonObject expected = Fixtures.expected(name);
		try (Checkpoint c = Checkpoints.open(Fixtures.fixture(name))) {
			SortedMap<String, StoredTensor> tensors = c.tensors();
			assertEquals(expected.keySet(), tensors.keySet());
			for (Map.Entry<String, JsonElement> e : expected.entrySet()) {
				JsonObject want = e.getValue().getAsJsonObject();
				StoredTensor t = tensors.get(e.getKey());
				assertEquals(want.get("dtype").getAsString(), t.dtype().torchName(), e.getKey());
				JsonArray shape = want.getAsJsonArray("shape");
				long[] ws = new long[shape.size()];
				for (int i = 0; i < ws.length; i++) ws[i] = shape.get(i).getAsLong();
				assertArrayEquals(ws, t.shape(), e.getKey());
				JsonArray values = want.getAsJsonArray("values");
				float[] got = t.toFloatArray();
				assertEquals(values.size(), got.length, e.getKey());
				for (int i = 0; i < got.length; i++) assertEquals((float) values.get(i).getAsDouble(), got[i], 0f, e.getKey() + "[" + i + "]");
			}
		}
	}

	@Test
	void sharedStoragesAndViewsKeepTheirOffsetsAndStrides() throws IOException {
		try (Checkpoint c = Checkpoints.open(Fixtures.fixture("basic.pt"))) {
			StoredTensor full = c.tensors().get("shared_full");
			StoredTensor view = c.tensors().get("offset_view");
			StoredTensor column = c.tensors().get("column");
			float[] f = full.toFloatArray();
			float[] v = view.toFloatArray();
			for (int i = 0; i < v.length; i++) assertEquals(f[12 + i], v[i]);
			float[] col = column.toFloatArray();
			for (int r = 0; r < 5; r++) assertEquals(f[r * 6 + 1], col[r]);
			assertTrue(full.isContiguous());
			assertTrue(!column.isContiguous());
		}
	}

	@Test
	void prefixSelectsASubtree() throws IOException {
		try (Checkpoint c = Checkpoints.open(Fixtures.fixture("nested.pt"), "a.b")) {
			assertEquals(java.util.Set.of("a.b.0", "a.b.1"), c.tensors().keySet());
		}
		try (Checkpoint c = Checkpoints.open(Fixtures.fixture("lightning.ckpt"))) {
			assertEquals(java.util.Set.of("w", "b"), TensorMaps.stripPrefix(c.tensors(), "state_dict.model").keySet());
		}
	}

	@Test
	void readingAfterCloseIsAClearError() throws IOException {
		Checkpoint c = Checkpoints.open(Fixtures.fixture("basic.pt"));
		StoredTensor t = c.tensors().get("param");
		assertEquals(7, t.toFloatArray().length);
		c.close();
		IllegalStateException e = assertThrows(IllegalStateException.class, t::toFloatArray);
		assertTrue(e.getMessage().contains("closed"), e.getMessage());
	}
}
