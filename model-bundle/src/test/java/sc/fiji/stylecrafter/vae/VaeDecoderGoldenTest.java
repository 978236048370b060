package sc.fiji.stylecrafter.vae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import org.junit.jupiter.api.Test;

import sc.fiji.stylecrafter.model.CheckpointKeyMap;
import sc.fiji.stylecrafter.model.ModelConfig;
import sc.fiji.stylecrafter.nn.Weights;
import sc.fiji.stylecrafter.testing.Compare;
import sc.fiji.stylecrafter.testing.Golden;

class VaeDecoderGoldenTest {

	@Test
	void decodesFrameByFrameAsTheOfficialCode() throws IOException {
		try (Golden g = Golden.open(); NDManager model = NDManager.newBaseManager()) {
			ModelConfig cfg = g.config;
			VaeDecoder vae = new VaeDecoder(Weights.of(CheckpointKeyMap.vae(g.modelCkpt), model, DataType.FLOAT32, "vae"), cfg.vae());
			try (NDManager scope = model.newSubManager()) {
				NDArray z = g.array("vae_z.npy", scope);
				int before = scope.getManagedArrays().size();
				NDArray out = vae.decode(z);
				int left = scope.getManagedArrays().size() - before;
				// the result and its views only: no block output of any frame stays behind (at full size they are
				// hundreds of MB a frame)
				assertTrue(left <= 3, left + " arrays left on the caller's manager after decoding " + z.getShape().get(2) + " frames");
				var want = g.npy("vae_decoded.npy");
				assertArrayEquals(want.shape(), out.getShape().getShape());
				double err = Compare.relativeError(out.toFloatArray(), want.floats());
				System.out.printf("vae_decoded: relative error %.3g%n", err);
				assertTrue(err < 1e-4, "VAE relative error " + err);
			}
		}
	}
}
