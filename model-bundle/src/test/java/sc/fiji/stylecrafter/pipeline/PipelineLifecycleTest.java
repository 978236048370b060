package sc.fiji.stylecrafter.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import ai.djl.Device;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import sc.fiji.stylecrafter.image.RgbImage;
import sc.fiji.stylecrafter.io.Fixtures;
import sc.fiji.stylecrafter.sched.SeededNoise;
import sc.fiji.stylecrafter.testing.GoldenRuns;
import sc.fiji.stylecrafter.testing.Memory;
import sc.fiji.stylecrafter.engine.Precision;
import sc.fiji.stylecrafter.model.StyleCrafterModel;
import sc.fiji.stylecrafter.task.GenerationCancelledException;
import sc.fiji.stylecrafter.task.Stage;
import sc.fiji.stylecrafter.model.ModelLoader;

/** Repeated generations keep memory flat; cancelling stops within a step and leaves the model usable. */
class PipelineLifecycleTest {

	static Path golden;
	static StyleCrafterModel model;
	static StyleCrafterPipeline.Request request;
	static long seed;
	static int frames;

	@BeforeAll
	static void load() throws IOException {
		golden = Fixtures.goldenFolder();
		model = ModelLoader.load(golden, Device.cpu(), Precision.FLOAT32);
		GoldenRuns.Run run = GoldenRuns.videoSingle(); // the golden run's settings, whatever folder is given
		seed = run.seed();
		frames = run.frames();
		request = new StyleCrafterPipeline.Request(run.prompt(), List.of(RgbImage.read(run.styles().get(0))), run.settings());
	}

	@AfterAll
	static void close() {
		if (model != null) model.close();
	}


	@Test
	@Tag("slow")
	void twentyGenerationsKeepResidentMemoryFlat() throws IOException {
		StyleCrafterPipeline p = new StyleCrafterPipeline(model);
		int arrays = model.managedArrays();
		long[] nativeKb = new long[20];
		GenerationResult first = null;
		for (int i = 0; i < 20; i++) {
			GenerationResult r = p.generate(request.withNoise(new SeededNoise(seed)), null, null, null);
			if (i == 0) first = r;
			else assertArrayEquals(first.rgb8(), r.rgb8(), "same seed, same frames");
			nativeKb[i] = Memory.nativeKb();
		}
		// one generation's reading moves by +-30 MB with the allocator's state: medians of five, early and late
		long warm = Memory.median(Arrays.copyOfRange(nativeKb, 5, 10)), end = Memory.median(Arrays.copyOfRange(nativeKb, 15, 20));
		System.out.printf("20 generations: native resident memory (anonymous minus Java heap), median of generations 6-10 %d MB, of 16-20 %d MB%n",
			warm / 1024, end / 1024);
		assertEquals(arrays, model.managedArrays(), "the model manager holds only the weights");
		assertTrue(end - warm < 48 * 1024, "native resident memory grew by " + (end - warm) / 1024 + " MB over 10 generations");
	}

	@Test
	void previewsComeAfterEveryStepAndChangeNothing() {
		StyleCrafterPipeline p = new StyleCrafterPipeline(model);
		int arrays = model.managedArrays();
		List<LatentPreview> seen = new ArrayList<>();
		List<Integer> steps = new ArrayList<>();
		long t0 = System.nanoTime();
		GenerationResult plain = p.generate(request.withNoise(new SeededNoise(seed)), null, null, null);
		long t1 = System.nanoTime();
		GenerationResult previewed = p.generate(request.withNoise(new SeededNoise(seed)), null, step -> {
			steps.add(step.index());
			seen.add(step.preview());
		}, null);
		long t2 = System.nanoTime();
		System.out.printf("tiny run %.3f s without previews, %.3f s with a preview after each of %d steps%n", (t1 - t0) / 1e9, (t2 - t1) / 1e9, seen.size());
		assertArrayEquals(plain.rgb8(), previewed.rgb8(), "a preview changes nothing");
		int total = StyleCrafterPipeline.check(request, model.config());
		assertEquals(total, seen.size());
		assertEquals(total, (int) steps.get(steps.size() - 1));
		int down = model.config().vae().downsampling();
		LatentPreview last = seen.get(seen.size() - 1);
		assertEquals(request.settings().frames(), last.frames());
		assertEquals(request.settings().width() / down, last.width());
		assertEquals(request.settings().height() / down, last.height());
		assertTrue(seen.get(0) != last && !java.util.Arrays.equals(seen.get(0).argb()[0], last.argb()[0]), "the estimate changes over the steps");
		assertEquals(arrays, model.managedArrays(), "previews leave nothing on the model");
	}

	@Test
	void twoModelsInTwoThreadsGiveTheirSeedsOwnResults() throws Exception {
		GenerationResult a = new StyleCrafterPipeline(model).generate(request.withNoise(new SeededNoise(seed)), null, null, null);
		GenerationResult b = new StyleCrafterPipeline(model).generate(request.withNoise(new SeededNoise(7)), null, null, null);
		try (StyleCrafterModel second = ModelLoader.load(golden, Device.cpu(), Precision.FLOAT32)) {
			java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
			try {
				java.util.concurrent.Future<GenerationResult> fa = pool.submit(() -> new StyleCrafterPipeline(model).generate(request.withNoise(new SeededNoise(seed)), null, null, null));
				java.util.concurrent.Future<GenerationResult> fb = pool.submit(() -> new StyleCrafterPipeline(second).generate(request.withNoise(new SeededNoise(7)), null, null, null));
				assertArrayEquals(a.rgb8(), fa.get().rgb8(), "the same seed on the first model, while another model runs");
				assertArrayEquals(b.rgb8(), fb.get().rgb8(), "seed 7 on the second model, while the first runs");
			}
			finally {
				pool.shutdownNow();
			}
		}
	}

	@Test
	void cancelStopsWithinAStepAndTheModelStaysUsable() {
		StyleCrafterPipeline p = new StyleCrafterPipeline(model);
		AtomicInteger steps = new AtomicInteger();
		int at = Math.max(1, request.settings().steps() / 2); // cancelled halfway
		int arrays = model.managedArrays();
		GenerationCancelledException e = assertThrows(GenerationCancelledException.class, () -> p.generate(request.withNoise(new SeededNoise(1)), (done, total, stage) -> {
				if (stage == Stage.SAMPLING) steps.set(done);
			}, null, () -> steps.get() >= at));
		assertTrue(e.getMessage().contains("after step " + at + " of " + request.settings().steps()), e.getMessage());
		assertEquals(at, steps.get());
		assertEquals(arrays, model.managedArrays(), "nothing of the cancelled run is left");
		GenerationResult r = p.generate(request.withNoise(new SeededNoise(seed)), null, null, null);
		assertEquals(frames, r.frameCount());
	}

	@Test
	void decodingReportsEachFrameAndCanBeCancelled() {
		StyleCrafterPipeline p = new StyleCrafterPipeline(model);
		List<Integer> decoded = new java.util.ArrayList<>();
		p.generate(request.withNoise(new SeededNoise(1)), (done, total, stage) -> {
			if (stage == Stage.DECODING) {
				assertEquals(frames, total);
				decoded.add(done);
			}
		}, null, null);
		assertEquals(java.util.stream.IntStream.rangeClosed(0, frames).boxed().toList(), decoded);
		int arrays = model.managedArrays();
		AtomicInteger done = new AtomicInteger();
		GenerationCancelledException e = assertThrows(GenerationCancelledException.class, () -> p.generate(request.withNoise(new SeededNoise(1)), (d, total, stage) -> {
				if (stage == Stage.DECODING) done.set(d);
			}, null, () -> done.get() >= 1));
		assertTrue(e.getMessage().contains("while decoding, after frame 1 of " + frames), e.getMessage());
		assertEquals(1, done.get(), "no frame decoded after the cancel");
		assertEquals(arrays, model.managedArrays(), "nothing of the cancelled run is left");
		assertEquals(frames, p.generate(request.withNoise(new SeededNoise(seed)), null, null, null).frameCount());
	}

	/** All guidance branches in one UNet call (three for the video run, two for the image run) give the sequential frames. */
	@Test
	void batchedBranchesGiveTheSameResult() throws IOException {
		GoldenRuns.Run image = GoldenRuns.imageSingle();
		StyleCrafterPipeline.Request imageRequest = new StyleCrafterPipeline.Request(image.prompt(), List.of(RgbImage.read(image.styles().get(0))),
			image.settings());
		for (StyleCrafterPipeline.Request r : List.of(request, imageRequest)) {
			long runSeed = r == request ? seed : image.seed();
			GenerationResult one = new StyleCrafterPipeline(model, false).generate(r.withNoise(new SeededNoise(runSeed)), null, null, null);
			GenerationResult batched = new StyleCrafterPipeline(model, true).generate(r.withNoise(new SeededNoise(runSeed)), null, null, null);
			double err = sc.fiji.stylecrafter.testing.Compare.relativeError(batched.frames(), one.frames());
			System.out.printf("%s: batched vs sequential branches: relative error %.3g%n", r.settings().mode(), err);
			assertTrue(err < 1e-5, "batched branches differ by " + err);
		}
	}

	@Test
	void badInputsAreRefusedWithReasons() {
		StyleCrafterPipeline p = new StyleCrafterPipeline(model);
		GenerationSettings s = request.settings();
		assertTrue(assertThrows(IllegalArgumentException.class, () -> p.generate(new StyleCrafterPipeline.Request("", request.styles(), s).withNoise(new SeededNoise(1)), null, null, null)).getMessage().contains("prompt is empty"));
		assertTrue(assertThrows(IllegalArgumentException.class, () -> p.generate(new StyleCrafterPipeline.Request("x", List.of(), s).withNoise(new SeededNoise(1)), null, null, null)).getMessage().contains("at least one style image"));
		assertThrows(IllegalArgumentException.class, () -> s.toBuilder().frames(0).build());
		assertThrows(IllegalArgumentException.class, () -> s.toBuilder().width(100).height(128).build());
		assertThrows(IllegalArgumentException.class, () -> new SeededNoise(-1));
		assertTrue(assertThrows(IllegalArgumentException.class, () -> ModelLoader.load(golden, Device.gpu(), Precision.BFLOAT16)).getMessage()
			.contains("CPU only"));
	}
}
