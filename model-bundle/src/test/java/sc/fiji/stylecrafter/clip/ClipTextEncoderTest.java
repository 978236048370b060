package sc.fiji.stylecrafter.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.stylecrafter.io.Checkpoint;
import sc.fiji.stylecrafter.io.Checkpoints;
import sc.fiji.stylecrafter.nn.WeightException;
import sc.fiji.stylecrafter.nn.Weights;
import sc.fiji.stylecrafter.testing.RandomWeights;

/** Causal masking and shape checks of the text encoder on small random weights. */
class ClipTextEncoderTest {

	@TempDir
	Path tmp;

	static final ClipTextConfig CFG = new ClipTextConfig(100, 12, 8, 2, 3);

	private Path weights(int width) throws IOException {
		RandomWeights r = new RandomWeights().add("token_embedding.weight", 100, width).add("positional_embedding", 12, width)
			.add("ln_final.weight", width).add("ln_final.bias", width);
		for (int i = 0; i < 3; i++) {
			String b = "transformer.resblocks." + i + ".";
			r.add(b + "ln_1.weight", width).add(b + "ln_1.bias", width).add(b + "ln_2.weight", width).add(b + "ln_2.bias", width)
				.add(b + "attn.in_proj_weight", 3 * width, width).add(b + "attn.in_proj_bias", 3 * width)
				.add(b + "attn.out_proj.weight", width, width).add(b + "attn.out_proj.bias", width)
				.add(b + "mlp.c_fc.weight", 4 * width, width).add(b + "mlp.c_fc.bias", 4 * width)
				.add(b + "mlp.c_proj.weight", width, 4 * width).add(b + "mlp.c_proj.bias", width);
		}
		return r.write(tmp.resolve("text" + width + ".safetensors"), 7, 0.3f);
	}

	@Test
	void laterTokensDoNotChangeEarlierOutputs() throws IOException {
		try (Checkpoint c = Checkpoints.open(weights(8)); NDManager m = NDManager.newBaseManager()) {
			ClipTextEncoder enc = new ClipTextEncoder(Weights.of(c.tensors(), m, DataType.FLOAT32, "random"), CFG);
			long[] a = { 1, 5, 9, 13, 2, 0, 0, 0, 0, 0, 0, 0 };
			long[] b = { 1, 5, 9, 42, 77, 3, 3, 3, 0, 0, 0, 0 };
			try (NDManager scope = m.newSubManager()) {
				NDArray x = enc.encode(scope.create(new long[][] { a, b }));
				assertArrayEquals(new long[] { 2, 12, 8 }, x.getShape().getShape());
				float[] first = x.get(new NDIndex("0, 0:3, :")).toFloatArray(), second = x.get(new NDIndex("1, 0:3, :")).toFloatArray();
				assertArrayEquals(first, second, 1e-6f);
				float[] later1 = x.get(new NDIndex("0, 3, :")).toFloatArray(), later2 = x.get(new NDIndex("1, 3, :")).toFloatArray();
				assertTrue(!java.util.Arrays.equals(later1, later2), "position 3 must see its own token");
			}
		}
	}

	@Test
	void widthMismatchNamesTheKey() throws IOException {
		try (Checkpoint c = Checkpoints.open(weights(6)); NDManager m = NDManager.newBaseManager()) {
			WeightException e = assertThrows(WeightException.class,
				() -> new ClipTextEncoder(Weights.of(c.tensors(), m, DataType.FLOAT32, "random"), CFG));
			assertTrue(e.getMessage().contains("token_embedding.weight") && e.getMessage().contains("[100, 6]"), e.getMessage());
		}
	}

	@Test
	void configRejectsImpossibleSizes() {
		assertThrows(IllegalArgumentException.class, () -> new ClipTextConfig(100, 77, 10, 3, 2));
		assertThrows(IllegalArgumentException.class, () -> new ClipVisionConfig(224, 15, 32, 2, 16));
	}

	@Test
	void scopedOutputsLeaveTheModelManagerAlone() throws IOException {
		try (Checkpoint c = Checkpoints.open(weights(8)); NDManager m = NDManager.newBaseManager()) {
			ClipTextEncoder enc = new ClipTextEncoder(Weights.of(c.tensors(), m, DataType.FLOAT32, "random"), CFG);
			int before = m.getManagedArrays().size();
			for (int i = 0; i < 5; i++) {
				try (NDManager scope = m.newSubManager()) {
					enc.encode(scope.create(new long[][] { { 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0 } }).toType(DataType.INT64, false));
				}
			}
			assertTrue(m.getManagedArrays().size() <= before + 1, "model manager grew from " + before + " to " + m.getManagedArrays().size());
		}
	}

}
