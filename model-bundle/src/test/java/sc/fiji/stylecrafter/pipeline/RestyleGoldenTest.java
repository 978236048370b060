package sc.fiji.stylecrafter.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import sc.fiji.stylecrafter.engine.Precision;
import sc.fiji.stylecrafter.image.RgbImage;
import sc.fiji.stylecrafter.io.Fixtures;
import sc.fiji.stylecrafter.io.Npy;
import sc.fiji.stylecrafter.model.ModelLoader;
import sc.fiji.stylecrafter.model.StyleCrafterModel;
import sc.fiji.stylecrafter.sched.NoiseSource;
import sc.fiji.stylecrafter.sched.ReplayNoise;
import sc.fiji.stylecrafter.sched.SeededNoise;
import sc.fiji.stylecrafter.testing.Compare;
import sc.fiji.stylecrafter.testing.RestyleRuns;

/**
 * The restyle and long-clip runs of the golden folder ({@code restyle.json}: restyling a clip, an image and a clip
 * longer than the window, and a long clip from noise), every setting read from there ({@link RestyleRuns}), each
 * replayed from its recorded draws and seeded as the official script seeded it: the windows, the timesteps run, the
 * number of draws, the latent after every step, the frames and their 8-bit values.
 */
class RestyleGoldenTest {

	static Path golden;
	static StyleCrafterModel model;

	@BeforeAll
	static void load() throws IOException {
		golden = Fixtures.goldenFolder();
		model = ModelLoader.load(golden, Device.cpu(), Precision.FLOAT32);
	}

	@AfterAll
	static void close() {
		if (model != null) model.close();
	}

	static Stream<Arguments> runs() {
		return RestyleRuns.names().stream().flatMap(n -> Stream.of(Arguments.of(n, false), Arguments.of(n, true)));
	}

	/** Counts the draws a run takes from another source. */
	private static final class Counting implements NoiseSource {

		final NoiseSource inner;
		int draws;

		Counting(NoiseSource inner) {
			this.inner = inner;
		}

		@Override
		public NDArray next(Shape shape, NDManager manager) {
			draws++;
			return inner.next(shape, manager);
		}
	}

	@ParameterizedTest(name = "{0} seeded={1}")
	@MethodSource("runs")
	void runMatches(String name, boolean seeded) throws IOException {
		RestyleRuns.Run run = RestyleRuns.named(name);
		GenerationSettings s = run.settings();
		int temporal = model.config().unet().temporalLength();
		TemporalWindows windows = TemporalWindows.of(s.frames(), s.windowFor(temporal), s.overlapFor(temporal));
		if (run.windows().isEmpty()) assertTrue(windows.plain(), name + ": a plain run");
		else {
			assertEquals(run.windows().size(), windows.ranges().size(), name + ": windows");
			for (int i = 0; i < windows.ranges().size(); i++) assertArrayEquals(run.windows().get(i), windows.ranges().get(i), name + ": window " + i);
		}
		List<RgbImage> styles = new ArrayList<>();
		for (Path p : run.styles()) styles.add(RgbImage.read(p));
		StyleCrafterPipeline.Request rq = new StyleCrafterPipeline.Request(run.prompt(), styles, s);
		if (run.source() != null) rq = rq.restyling(new StyleCrafterPipeline.Source(run.sourceFrames(), run.strength(), run.source().getFileName().toString()));
		Counting noise = new Counting(seeded ? new SeededNoise(s.seed()) : new ReplayNoise(run.noiseFiles()));
		List<float[]> latents = new ArrayList<>();
		List<Integer> timesteps = new ArrayList<>();
		GenerationResult r = new StyleCrafterPipeline(model).generate(rq.withNoise(noise), null, step -> {
			latents.add(step.latentValues());
			timesteps.add(step.timestep());
			assertEquals(run.denoisingSteps(), step.total(), "steps in all, told to the step listener");
		}, null);
		assertEquals(run.draws(), noise.draws, name + ": random draws");
		assertEquals(run.timesteps(), timesteps, name + ": timesteps run");
		Npy.Array xt = Npy.read(golden.resolve(name + "_xt_per_step.npy"));
		int per = (int) (xt.numel() / xt.shape()[0]);
		assertEquals(xt.shape()[0], latents.size(), name + ": steps told to the step listener");
		for (int i = 0; i < latents.size(); i++) {
			double err = Compare.relativeError(latents.get(i), Arrays.copyOfRange(xt.floats(), i * per, (i + 1) * per));
			System.out.printf("%s seeded=%s step %d latent: relative error %.3g%n", name, seeded, i + 1, err);
			assertTrue(err < 1e-4, name + " step " + (i + 1) + " latent relative error " + err);
		}
		double err = Compare.relativeError(r.frames(), Npy.read(golden.resolve(name + "_frames.npy")).floats());
		System.out.printf("%s seeded=%s frames: relative error %.3g%n", name, seeded, err);
		assertTrue(err < 1e-4, name + " frames relative error " + err);
		Npy.Array u8 = Npy.read(golden.resolve(name + "_frames_uint8.npy"));
		assertArrayEquals(u8.shape(), new long[] { 3, r.frameCount(), r.height(), r.width() });
		int off = 0, maxDiff = 0;
		for (int i = 0; i < r.rgb8().length; i++) {
			int d = Math.abs((r.rgb8()[i] & 0xFF) - (int) u8.longs()[i]);
			if (d > 0) off++;
			maxDiff = Math.max(maxDiff, d);
		}
		System.out.printf("%s seeded=%s uint8: %d of %d values differ, by at most %d%n", name, seeded, off, r.rgb8().length, maxDiff);
		assertTrue(maxDiff <= 1 && off <= r.rgb8().length / 1000, name + ": " + off + " uint8 values differ, max " + maxDiff);
		String json = r.record().toJson();
		if (run.strength() != null) assertTrue(json.contains("\"strength\": " + run.strength()), json);
		if (!windows.plain()) assertTrue(json.contains("\"windows\""), json);
	}
}
