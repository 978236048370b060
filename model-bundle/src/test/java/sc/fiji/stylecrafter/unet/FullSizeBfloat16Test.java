package sc.fiji.stylecrafter.unet;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Function;

import org.junit.jupiter.api.Test;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import sc.fiji.stylecrafter.model.CheckpointKeyMap;
import sc.fiji.stylecrafter.model.ModelConfig;
import sc.fiji.stylecrafter.nn.Kernels;
import sc.fiji.stylecrafter.nn.RouteChecks;
import sc.fiji.stylecrafter.nn.Weights;

/**
 * bfloat16 computes the model at the full model's shapes: one image UNet call of the official sizes (latent 64x64, the
 * style branch, random weights made here) in bfloat16 products against the same call in float32. The tiny golden model
 * never reaches the kernels libtorch picks for wide layers, large images and the layouts the layers really receive (a
 * full-size call once came out 0.286 off while every per-shape check passed).
 */
class FullSizeBfloat16Test {

	/**
	 * bfloat16 keeps 8 significant bits: each product's rounding of its input and weight costs up to 2^-8 = 3.9e-3
	 * relative, and the call's output, after some 250 products in a row, was 2.6e-3 off on an AMD Zen 5. The bound is a
	 * few such roundings; the wrong kernels that made this test were 0.17 to 0.33 off.
	 */
	static final double BOUND = 1e-2;
	/** The standard deviation of the random weights (as {@code make_fullsize_random.py} writes them). */
	static final float SPREAD = 0.02f;

	@Test
	void aFullSizeImageCallInBfloat16StaysWithinRoundingOfFloat32() {
		ModelConfig cfg = ModelConfig.FULL_SIZE;
		float[] reference = call(cfg, Kernels.STANDARD);
		float[] bfloat16 = call(cfg, Kernels.BFLOAT16);
		double diff = 0, norm = 0;
		for (int i = 0; i < reference.length; i++) {
			double d = bfloat16[i] - reference[i];
			diff += d * d;
			norm += (double) reference[i] * reference[i];
		}
		double error = Math.sqrt(diff / norm);
		System.out.printf("full-size image UNet call, bfloat16 products against float32: relative error %.3g (bound %.0e)%n", error, BOUND);
		assertTrue(norm > 0, "the float32 call gave zeros");
		assertTrue(error <= BOUND, "bfloat16 full-size UNet call is " + error + " off float32 (relative), above the rounding bound " + BOUND);
	}

	/** One image call (timestep 501) of a UNet of the full sizes whose products use {@code kernels}, on seeded inputs. */
	private static float[] call(ModelConfig cfg, Kernels kernels) {
		UNetConfig uc = cfg.unet();
		try (NDManager m = NDManager.newBaseManager()) {
			Weights adapter = Weights.random(m, DataType.FLOAT32, Kernels.STANDARD, SPREAD);
			Function<String, Weights> style = CheckpointKeyMap.styleBranches(adapter);
			long t0 = System.nanoTime();
			UNetModel unet = new UNetModel(Weights.random(m, DataType.FLOAT32, kernels, SPREAD), style, uc, Mode.IMAGE, cfg.text().contextLength());
			try (NDManager run = m.newSubManager()) {
				NDArray x = RouteChecks.random(run, 1, 1, uc.inChannels(), 1, 64, 64);
				NDArray context = RouteChecks.random(run, 2, 1, cfg.text().contextLength() + cfg.adapter().styleTokens(), uc.contextDim());
				NDArray scales = RouteChecks.random(run, 3, 1, unet.styleLayers(), 1);
				UNetModel.Conditioning c = unet.prepare(context, scales, 1f);
				long t1 = System.nanoTime();
				float[] y = unet.forward(x, new float[] { 501 }, c, Mode.IMAGE).toFloatArray();
				System.out.printf("%s: random weights %.1f s, call (with its route checks) %.1f s%n", kernels.label(), (t1 - t0) / 1e9, (System.nanoTime() - t1) / 1e9);
				return y;
			}
		}
	}
}
