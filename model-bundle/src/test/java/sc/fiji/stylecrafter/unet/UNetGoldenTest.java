package sc.fiji.stylecrafter.unet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import sc.fiji.stylecrafter.model.CheckpointKeyMap;
import sc.fiji.stylecrafter.nn.FlopCounter;
import sc.fiji.stylecrafter.nn.Route;
import sc.fiji.stylecrafter.nn.RouteChecks;
import sc.fiji.stylecrafter.nn.Kernels;
import sc.fiji.stylecrafter.nn.Weights;
import sc.fiji.stylecrafter.testing.Compare;
import sc.fiji.stylecrafter.testing.Golden;
import sc.fiji.stylecrafter.testing.Threads;

/** One UNet call in video mode (with and without style) and in image mode, inputs and outputs from the golden folder. */
class UNetGoldenTest {

	private static void check(String name, NDArray got, Golden g) {
		check(name, got, g, 1e-4);
	}

	private static double check(String name, NDArray got, Golden g, double tolerance) {
		var want = g.npy(name);
		assertArrayEquals(want.shape(), got.getShape().getShape(), name);
		double err = Compare.relativeError(got.toFloatArray(), want.floats());
		System.out.printf("%s: relative error %.3g%n", name, err);
		assertTrue(err < tolerance, name + " relative error " + err);
		return err;
	}

	private static float[] timesteps(Golden g) {
		return g.npy("unet_video_t.npy").floats();
	}

	private static UNetModel unet(Golden g, Weights unetWeights, NDManager model, Mode built) {
		return new UNetModel(unetWeights, CheckpointKeyMap.styleBranches(Weights.of(CheckpointKeyMap.adapter(g.adapter), model, DataType.FLOAT32, "adapter")), g.config.unet(), built,
			g.config.text().contextLength());
	}

	/** The float32 video UNet (it runs image mode too). */
	private static UNetModel videoUNet(Golden g, NDManager model) {
		return unet(g, Weights.of(CheckpointKeyMap.unet(g.modelCkpt, g.temporal), model, DataType.FLOAT32, "unet"), model, Mode.VIDEO);
	}

	/** The first prompt's text tokens with the single reference's style tokens appended. */
	private static NDArray styleContext(Golden g, NDManager scope) throws IOException {
		return NDArrays.concat(new NDList(g.array("text_embeddings.npy", scope).get(new NDIndex("0:1")), g.array("adapter_context_single.npy", scope)), 1);
	}

	/** At the default thread count, and at 1 thread (0 = default). */
	@ParameterizedTest(name = "threads {0}")
	@ValueSource(ints = { 0, 1 })
	void videoModeWithAndWithoutStyle(int threads) throws Exception {
		Threads.at(threads, UNetGoldenTest::videoModeWithAndWithoutStyle);
	}

	private static void videoModeWithAndWithoutStyle() throws IOException {
		try (Golden g = Golden.open(); NDManager model = NDManager.newBaseManager()) {
			UNetModel unet = videoUNet(g, model);
			long layers = g.npy("scales_single.npy").shape()[1]; // one scale per dual cross-attention layer
			assertTrue(unet.styleLayers() == layers, "dual cross-attention layers: " + unet.styleLayers() + ", the golden scales have " + layers);
			try (NDManager scope = model.newSubManager()) {
				NDArray x = g.array("unet_video_x.npy", scope);
				NDArray text = g.array("text_embeddings.npy", scope).get(new NDIndex("0:1"));
				NDArray style = g.array("adapter_context_single.npy", scope);
				NDArray scales = g.array("scales_single.npy", scope);
				NDArray ctx = NDArrays.concat(new NDList(text, style), 1);
				check("unet_video_eps_text_style.npy", unet.forward(x, timesteps(g), ctx, scales, 1f), g);
				check("unet_video_eps_text.npy", unet.forward(x, timesteps(g), text, null, 1f), g);
			}
		}
	}

	/**
	 * A context prepared once ({@link UNetModel#prepare}, as the pipeline does per generation) gives the official
	 * result in every call, and the calls do not compute its keys and values again: a call with the raw context costs
	 * exactly the prepared call plus the preparation, in multiply-add FLOPs.
	 */
	@Test
	void preparedContextServesEveryCallWithoutRecomputingKeysAndValues() throws IOException {
		try (Golden g = Golden.open(); NDManager model = NDManager.newBaseManager()) {
			UNetModel unet = videoUNet(g, model);
			try (NDManager scope = model.newSubManager()) {
				NDArray x = g.array("unet_video_x.npy", scope);
				NDArray scales = g.array("scales_single.npy", scope);
				NDArray ctx = styleContext(g, scope);
				FlopCounter.Counted<UNetModel.Conditioning> prepared = FlopCounter.count(() -> unet.prepare(ctx, scales, 1f));
				FlopCounter.Counted<NDArray> first = FlopCounter.count(() -> unet.forward(x, timesteps(g), prepared.result(), Mode.VIDEO));
				NDArray second = unet.forward(x, timesteps(g), prepared.result(), Mode.VIDEO);
				check("unet_video_eps_text_style.npy", first.result(), g);
				assertArrayEquals(first.result().toFloatArray(), second.toFloatArray(), "a second call with the same conditioning");
				long raw = FlopCounter.count(() -> unet.forward(x, timesteps(g), ctx, scales, 1f)).flops();
				System.out.printf("prepared call %d FLOPs + preparation %d = call with the raw context %d%n", first.flops(), prepared.flops(), raw);
				assertTrue(prepared.flops() > 0, "preparing computed nothing");
				assertEquals(raw, first.flops() + prepared.flops(), "a prepared call still computes the context's keys and values");
				NDArray two = NDArrays.concat(new NDList(x, x), 0);
				IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
					() -> unet.forward(two, new float[] { 1, 1 }, prepared.result(), Mode.VIDEO));
				assertTrue(e.getMessage().contains("1 sample(s) given with a batch of 2"), e.getMessage());
				e = assertThrows(IllegalArgumentException.class, () -> unet.prepare(ctx.get(new NDIndex(":, :, :8")), null, 1f));
				assertTrue(e.getMessage().startsWith("context (1, "), e.getMessage());
			}
		}
	}

	/**
	 * With the float32 routes made wrong on purpose, every layer that would take them is checked, finds them wrong and
	 * computes by its reference: the call still gives the official output. (The check a route gets on this machine is the
	 * only thing between a wrong kernel and the user's frames; on a host whose kernels are right, this shows it works.)
	 */
	@Test
	void routesMadeWrongOnPurposeAreNotUsed() throws Exception {
		try (AutoCloseable linear = RouteChecks.breakOnPurpose(Route.LINEAR_CONVOLUTION);
			AutoCloseable packedLinear = RouteChecks.breakOnPurpose(Route.PACKED_LINEAR);
			AutoCloseable packedConvolution = RouteChecks.breakOnPurpose(Route.PACKED_CONVOLUTION);
			AutoCloseable attention = RouteChecks.breakOnPurpose(Route.FUSED_ATTENTION);
			AutoCloseable groupNorm = RouteChecks.breakOnPurpose(Route.NATIVE_GROUP_NORM))
		{
			videoModeWithAndWithoutStyle();
			List<RouteChecks.Verdict> verdicts = RouteChecks.verdicts();
			assertTrue(verdicts.stream().anyMatch(v -> v.route() == Route.FUSED_ATTENTION), "the video call took no attention route: " + verdicts);
			assertTrue(verdicts.stream().noneMatch(RouteChecks.Verdict::accepted), "a broken route was accepted: " + verdicts);
			assertEquals(verdicts.stream().map(RouteChecks.Verdict::route).distinct().count(), RouteChecks.takeReports().size(), "one report per route");
		}
	}

	@ParameterizedTest(name = "threads {0}")
	@ValueSource(ints = { 0, 1 })
	void imageModeRunsNoTemporalLayers(int threads) throws Exception {
		Threads.at(threads, UNetGoldenTest::imageModeRunsNoTemporalLayers);
	}

	private static void imageModeRunsNoTemporalLayers() throws IOException {
		try (Golden g = Golden.open(); NDManager model = NDManager.newBaseManager()) {
			UNetModel unet = unet(g, Weights.of(CheckpointKeyMap.unet(g.modelCkpt, null), model, DataType.FLOAT32, "unet"), model, Mode.IMAGE);
			try (NDManager scope = model.newSubManager()) {
				NDArray x = g.array("unet_image_x.npy", scope);
				NDArray ctx = styleContext(g, scope);
				check("unet_image_eps_text_style.npy", unet.forward(x, timesteps(g), ctx, g.array("scales_single.npy", scope), 1f), g);
			}
		}
	}

	/**
	 * bfloat16 products (opt-in on the CPU): each convolution and linear layer rounds its inputs and weights to 8
	 * significant bits (about 3e-3 relative each), so the whole call is compared at 5e-2 (1.6e-2 measured on tiny-v1), and it must not be as exact as
	 * float32 (proof that bfloat16 really ran).
	 */
	@Test
	void bfloat16ProductsStayCloseToTheOfficialFloat32() throws IOException {
		try (Golden g = Golden.open(); NDManager model = NDManager.newBaseManager()) {
			UNetModel unet = unet(g, Weights.of(CheckpointKeyMap.unet(g.modelCkpt, g.temporal), model, DataType.FLOAT32, Kernels.BFLOAT16, "unet"), model, Mode.VIDEO);
			try (NDManager scope = model.newSubManager()) {
				NDArray x = g.array("unet_video_x.npy", scope);
				NDArray ctx = styleContext(g, scope);
				double err = check("unet_video_eps_text_style.npy", unet.forward(x, timesteps(g), ctx, g.array("scales_single.npy", scope), 1f), g, 5e-2);
				assertTrue(err > 1e-4, "bfloat16 gave float32's accuracy (" + err + "): it did not run");
			}
		}
	}

	@Test
	void videoUNetRunsImageModeBySkippingItsTemporalLayers() throws IOException {
		try (Golden g = Golden.open(); NDManager model = NDManager.newBaseManager()) {
			UNetModel unet = videoUNet(g, model);
			try (NDManager scope = model.newSubManager()) {
				NDArray x = g.array("unet_image_x.npy", scope);
				NDArray ctx = styleContext(g, scope);
				check("unet_image_eps_text_style.npy", unet.forward(x, timesteps(g), ctx, g.array("scales_single.npy", scope), 1f, Mode.IMAGE), g);
			}
		}
	}
}
