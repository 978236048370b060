package sc.fiji.stylecrafter.adapter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

import org.junit.jupiter.api.Test;

import sc.fiji.stylecrafter.model.CheckpointKeyMap;
import sc.fiji.stylecrafter.nn.Weights;
import sc.fiji.stylecrafter.testing.Compare;
import sc.fiji.stylecrafter.testing.Golden;

/** Style embeddings (one and several references) and scales against the official code. */
class StyleAdapterGoldenTest {

	private static void check(String name, NDArray got, Golden g) {
		var want = g.npy(name);
		assertArrayEquals(want.shape(), got.getShape().getShape(), name);
		double err = Compare.relativeError(got.toType(DataType.FLOAT32, false).toFloatArray(), want.floats());
		System.out.printf("%s: relative error %.3g%n", name, err);
		assertTrue(err < 1e-4, name + " relative error " + err);
	}

	@Test
	void styleEmbeddingsAndScales() throws IOException {
		try (Golden g = Golden.open(); NDManager model = NDManager.newBaseManager()) {
			StyleAdapter adapter = new StyleAdapter(Weights.of(CheckpointKeyMap.adapter(g.adapter), model, DataType.FLOAT32, "adapter"), g.config.adapter());
			try (NDManager scope = model.newSubManager()) {
				NDArray tokens = g.array("style_tokens.npy", scope); // [n, 257, W], float16-rounded already
				long n = tokens.getShape().get(0), t = tokens.getShape().get(1), w = tokens.getShape().get(2);
				NDArray single = adapter.styleEmbeddings(tokens.get(new NDIndex("0:1")));
				check("adapter_context_single.npy", single, g);
				NDArray multi = adapter.styleEmbeddings(tokens.reshape(1, n * t, w));
				check("adapter_context_multi.npy", multi, g);
				NDArray text = g.array("text_embeddings.npy", scope).get(new NDIndex("0:1"));
				check("scales_single.npy", adapter.scales(single, text), g);
				check("scales_multi.npy", adapter.scales(multi, text), g);
			}
		}
	}
}
