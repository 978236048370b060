package sc.fiji.stylecrafter.batch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

import ai.djl.Device;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.stylecrafter.image.RgbImage;
import sc.fiji.stylecrafter.io.Fixtures;
import sc.fiji.stylecrafter.task.GenerationCancelledException;
import sc.fiji.stylecrafter.task.Stage;
import sc.fiji.stylecrafter.pipeline.GenerationResult;
import sc.fiji.stylecrafter.pipeline.GenerationSettings;
import sc.fiji.stylecrafter.engine.Precision;
import sc.fiji.stylecrafter.model.StyleCrafterModel;
import sc.fiji.stylecrafter.pipeline.StyleCrafterPipeline;
import sc.fiji.stylecrafter.testing.GoldenRuns;
import sc.fiji.stylecrafter.model.ModelLoader;

/** A three-entry list on the tiny model: a bad entry is skipped with its reason, a stopped batch resumes, seeding modes. */
class BatchTest {

	@TempDir
	Path tmp;

	static StyleCrafterModel model;
	static GenerationSettings quick;

	@BeforeAll
	static void load() throws IOException {
		model = ModelLoader.load(Fixtures.goldenFolder(), Device.cpu(), Precision.FLOAT32);
		GenerationSettings v = GoldenRuns.videoSingle().settings();
		quick = v.toBuilder().frames(2).steps(2).build(); // the golden size; few frames and steps
	}

	@AfterAll
	static void close() {
		if (model != null) model.close();
	}

	private Path list() throws IOException {
		Path g = Fixtures.goldenFolder().toAbsolutePath();
		String prompt = GoldenRuns.videoSingle().prompt(), other = GoldenRuns.videoMulti().prompt();
		String json = "[{\"prompt\": \"" + prompt + "\", \"style_path\": \"" + g.resolve("style_0.png") + "\"},\n"
			+ " {\"prompt\": \"" + other + "\", \"style_path\": [\"" + g.resolve("style_0.png") + "\", \"" + g.resolve("style_1.png") + "\", \""
			+ g.resolve("style_2.png") + "\"]},\n"
			+ " {\"prompt\": \"a missing style\", \"style_path\": \"styles/nothere.png\"}]";
		return Files.writeString(tmp.resolve("eval.json"), json);
	}

	/** A listener that listens to nothing. */
	static final BatchRunner.Listener QUIET = new BatchRunner.Listener() {

		@Override
		public void entry(int k, int n, BatchList.Entry entry, String state) {}

		@Override
		public void progress(int done, int total, Stage stage) {}
	};

	@Test
	void badEntriesAreSkippedWithTheirReasonAndAStoppedBatchResumes() throws Exception {
		List<BatchList.Entry> entries = BatchList.read(list());
		assertEquals(tmp.resolve("styles/nothere.png"), entries.get(2).styles().get(0), "paths are relative to the list");
		Path out = tmp.resolve("out");
		BatchRunner.Options o = new BatchRunner.Options(quick, false, "tif", 8, 3);
		// stop while the second entry runs
		AtomicBoolean stop = new AtomicBoolean();
		BatchRunner.Listener stopper = new BatchRunner.Listener() {

			@Override
			public void entry(int k, int n, BatchList.Entry entry, String state) {
				if (k == 1 && state.equals("running")) stop.set(true);
			}

			@Override
			public void progress(int done, int total, Stage stage) {}
		};
		assertThrows(GenerationCancelledException.class, () -> BatchRunner.run(model, entries, out, o, stopper, stop::get));
		Path first = out.resolve(BatchRunner.name(entries.get(0)) + ".tif");
		assertTrue(Files.isRegularFile(first));
		long firstTime = Files.getLastModifiedTime(first).toMillis();
		String index = Files.readString(out.resolve(BatchRunner.INDEX), StandardCharsets.UTF_8);
		assertTrue(index.contains("\"state\": \"done\"") && index.contains("not run: the batch was stopped"), index);
		Thread.sleep(20);
		BatchRunner.Outcome again = BatchRunner.run(model, entries, out, o, QUIET, () -> false);
		assertEquals(1, again.skipped(), "the finished entry is not redone");
		assertEquals(1, again.done());
		assertEquals(1, again.failed());
		assertEquals(firstTime, Files.getLastModifiedTime(first).toMillis());
		index = Files.readString(again.index(), StandardCharsets.UTF_8);
		assertTrue(index.contains("skipped: already written") && index.contains("nothere.png"), index);
		assertTrue(Files.isRegularFile(out.resolve(BatchRunner.name(entries.get(1)) + ".json")), "one sidecar per entry");
	}

	@Test
	void officialSeedingContinuesTheStreamAndResumesIdentically() throws Exception {
		List<BatchList.Entry> entries = BatchList.read(list()).subList(0, 2);
		BatchRunner.Options o = new BatchRunner.Options(quick, true, "tif", 8, 3);
		Path whole = tmp.resolve("whole");
		BatchRunner.run(model, entries, whole, o, QUIET, () -> false);
		// entry 0 equals generate with that seed
		GenerationResult alone = new StyleCrafterPipeline(model).generate(new StyleCrafterPipeline.Request(entries.get(0).prompt(),
			List.of(RgbImage.read(entries.get(0).styles().get(0))), quick));
		assertArrayEquals(alone.rgb8(), rgb(whole.resolve(BatchRunner.name(entries.get(0)) + ".tif"), alone.frameCount()));
		// resumed after entry 0: entry 1 gets the same noise as in the uninterrupted run
		Path resumed = tmp.resolve("resumed");
		BatchRunner.run(model, entries.subList(0, 1), resumed, o, QUIET, () -> false);
		BatchRunner.Outcome r = BatchRunner.run(model, entries, resumed, o, QUIET, () -> false);
		assertEquals(1, r.skipped());
		String name = BatchRunner.name(entries.get(1)) + ".tif";
		assertArrayEquals(rgb(whole.resolve(name), quick.frames()), rgb(resumed.resolve(name), quick.frames()));
		// per-entry seeding would have given entry 1 other noise
		Path perEntry = tmp.resolve("per-entry");
		BatchRunner.run(model, entries, perEntry, new BatchRunner.Options(quick, false, "tif", 8, 3), QUIET, () -> false);
		assertTrue(!java.util.Arrays.equals(rgb(whole.resolve(name), quick.frames()), rgb(perEntry.resolve(name), quick.frames())));
	}

	/** The frames of a TIFF, planar like {@link GenerationResult#rgb8()}. */
	static byte[] rgb(Path tif, int frames) throws IOException {
		List<BufferedImage> pages = new ArrayList<>();
		try (ImageInputStream in = ImageIO.createImageInputStream(tif.toFile())) {
			ImageReader reader = ImageIO.getImageReadersByFormatName("tiff").next();
			reader.setInput(in);
			for (int i = 0; i < reader.getNumImages(true); i++) pages.add(reader.read(i));
		}
		assertEquals(frames, pages.size());
		int w = pages.get(0).getWidth(), h = pages.get(0).getHeight(), n = w * h, plane = frames * n;
		byte[] out = new byte[3 * plane];
		for (int f = 0; f < frames; f++) {
			for (int i = 0; i < n; i++) {
				int p = pages.get(f).getRGB(i % w, i / w);
				out[f * n + i] = (byte) (p >> 16);
				out[plane + f * n + i] = (byte) (p >> 8);
				out[2 * plane + f * n + i] = (byte) p;
			}
		}
		return out;
	}
}
