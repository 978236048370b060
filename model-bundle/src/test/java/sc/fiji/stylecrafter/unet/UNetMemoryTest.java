package sc.fiji.stylecrafter.unet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import sc.fiji.stylecrafter.model.CheckpointKeyMap;
import sc.fiji.stylecrafter.nn.Weights;
import sc.fiji.stylecrafter.testing.Golden;
import sc.fiji.stylecrafter.testing.Memory;

/**
 * 200 UNet calls on the tiny model: the model's manager does not grow and the process's resident memory (VmRSS of
 * /proc/self/status, which counts libtorch's native allocations too) stays flat after a warm-up.
 */
class UNetMemoryTest {

	/** What one call leaves on its caller's manager: its result. Every activation in between is closed. */
	private static final int LEFT_PER_CALL = 1;

	@Test
	@Tag("slow")
	void twoHundredCallsKeepMemoryFlat() throws IOException {
		try (Golden g = Golden.open(); NDManager model = NDManager.newBaseManager()) {
			UNetModel unet = new UNetModel(Weights.of(CheckpointKeyMap.unet(g.modelCkpt, g.temporal), model, DataType.FLOAT32, "unet"),
				CheckpointKeyMap.styleBranches(Weights.of(CheckpointKeyMap.adapter(g.adapter), model, DataType.FLOAT32, "adapter")), g.config.unet(), Mode.VIDEO, g.config.text().contextLength());
			int weights = model.getManagedArrays().size();
			long warm = 0;
			for (int i = 0; i < 200; i++) {
				try (NDManager scope = model.newSubManager()) {
					NDArray x = g.array("unet_video_x.npy", scope);
					NDArray text = g.array("text_embeddings.npy", scope).get(new NDIndex("0:1"));
					NDArray ctx = NDArrays.concat(new NDList(text, g.array("adapter_context_single.npy", scope)), 1);
					NDArray scales = g.array("scales_single.npy", scope);
					int before = scope.getManagedArrays().size();
					NDArray eps = unet.forward(x, g.npy("unet_video_t.npy").floats(), ctx, scales, 1f);
					int left = scope.getManagedArrays().size() - before;
					eps.toFloatArray();
					// the result only: no layer's activation, no key or value derived from the context
					assertTrue(left <= LEFT_PER_CALL, left + " arrays left on the caller's manager by one UNet call");
				}
				if (i == 19) {
					System.gc();
					warm = Memory.rssKb();
				}
			}
			System.gc();
			long end = Memory.rssKb();
			System.out.printf("UNet x200: RSS after 20 calls %d MB, after 200 calls %d MB%n", warm / 1024, end / 1024);
			assertEquals(weights, model.getManagedArrays().size(), "model manager holds the weights only");
			assertTrue(end - warm < 48 * 1024, "resident memory grew by " + (end - warm) / 1024 + " MB over 180 calls");
		}
	}
}
