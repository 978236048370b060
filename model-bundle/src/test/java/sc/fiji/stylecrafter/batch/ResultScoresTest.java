package sc.fiji.stylecrafter.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.stylecrafter.clip.ClipScorer;
import sc.fiji.stylecrafter.engine.DeviceChoice;
import sc.fiji.stylecrafter.image.RgbImage;
import sc.fiji.stylecrafter.io.Fixtures;
import sc.fiji.stylecrafter.model.ModelLoader;

/**
 * Scores read the output the batch index names (a stale file of the same name is not scored), refuse to guess between
 * candidates, and feed CLIP in bounded chunks with the same result as one batch, on the tiny golden CLIP.
 */
class ResultScoresTest {

	@TempDir
	Path tmp;

	static ClipScorer clip;

	@BeforeAll
	static void load() throws IOException {
		clip = ModelLoader.scorer(Fixtures.goldenFolder(), DeviceChoice.CPU);
	}

	@AfterAll
	static void close() {
		if (clip != null) clip.close();
	}

	/** The real scorer, counting how many images each call gets. */
	static final class Counting implements ResultScores.Features {

		final List<Integer> calls = new ArrayList<>();

		@Override
		public float[][] images(List<RgbImage> images) {
			calls.add(images.size());
			return clip.imageFeatures(images);
		}

		@Override
		public float[] text(String prompt) {
			return clip.textFeatures(List.of(prompt))[0];
		}
	}

	private List<BatchList.Entry> entries() throws IOException {
		Files.copy(Fixtures.goldenFolder().resolve("style_0.png"), tmp.resolve("style.png"));
		return BatchList.read(Files.writeString(tmp.resolve("list.json"), "[{\"prompt\": \"a cat\", \"style_path\": \"style.png\"}]"));
	}

	/** A folder of {@code n} random PNG frames; returns the frames. */
	private static List<RgbImage> frames(Path folder, int n, long seed) throws IOException {
		Files.createDirectories(folder);
		Random r = new Random(seed);
		List<RgbImage> out = new ArrayList<>();
		for (int f = 0; f < n; f++) {
			BufferedImage img = new BufferedImage(24, 16, BufferedImage.TYPE_INT_RGB);
			for (int y = 0; y < 16; y++) for (int x = 0; x < 24; x++) img.setRGB(x, y, r.nextInt(1 << 24));
			ImageIO.write(img, "png", folder.resolve(String.format("frame_%03d.png", f)).toFile());
			out.add(RgbImage.fromBufferedImage(img));
		}
		return out;
	}

	private void index(Path results, String output, String state) throws IOException {
		Files.writeString(results.resolve(BatchRunner.INDEX), "{\"entries\": 1, \"results\": [{\"index\": 0, \"prompt\": \"a cat\", \"output\": \"" + output
			+ "\", \"state\": \"" + state + "\"}]}");
	}

	@Test
	void theIndexedOutputIsScoredInBoundedChunksAsInOneBatch() throws IOException {
		List<BatchList.Entry> entries = entries();
		Path results = Files.createDirectories(tmp.resolve("results"));
		String name = BatchRunner.name(entries.get(0));
		List<RgbImage> frames = frames(results.resolve(name), 20, 1);
		frames(Files.createDirectories(tmp.resolve("stale")), 3, 2);
		ImageIO.write(ImageIO.read(tmp.resolve("stale/frame_001.png").toFile()), "tiff", results.resolve(name + ".tif").toFile()); // a stale result
		index(results, name, "done");

		Counting counting = new Counting();
		ResultScores.Row row = ResultScores.score(counting, entries, results, 3).get(0);
		assertNull(row.problem());
		assertEquals(name, row.file(), "the output index.json names, not the stale TIFF");
		assertEquals(20, row.frames());
		assertEquals(List.of(1, ResultScores.CHUNK, ResultScores.CHUNK, 20 - 2 * ResultScores.CHUNK), counting.calls, "the style, then frames in chunks");

		// the same scores as all frames through CLIP at once
		float[][] f = clip.imageFeatures(frames);
		float[] t = clip.textFeatures(List.of("a cat"))[0];
		float[] s = clip.imageFeatures(List.of(RgbImage.read(tmp.resolve("style.png"))))[0];
		double text = 0, style = 0, temporal = 0;
		for (int i = 0; i < f.length; i++) {
			text += ClipScorer.cosine(f[i], t);
			style += ClipScorer.cosine(f[i], s);
			if (i > 0) temporal += ClipScorer.cosine(f[i - 1], f[i]);
		}
		assertEquals(text / 20, row.text(), 1e-5);
		assertEquals(style / 20, row.style(), 1e-5);
		assertEquals(temporal / 19, row.temporal(), 1e-5);
	}

	@Test
	void withoutAnIndexSeveralCandidatesAreRefusedAndAnIndexCannotPointOutside() throws IOException {
		List<BatchList.Entry> entries = entries();
		Path results = Files.createDirectories(tmp.resolve("results"));
		String name = BatchRunner.name(entries.get(0));
		frames(results.resolve(name), 2, 1);
		ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), "tiff", results.resolve(name + ".tif").toFile());
		ResultScores.Row row = ResultScores.score(new Counting(), entries, results, 3).get(0);
		assertTrue(row.problem().contains("several results") && row.problem().contains(name + ".tif"), row.problem());
		assertTrue(Double.isNaN(row.text()));

		index(results, "../list.json", "done");
		row = ResultScores.score(new Counting(), entries, results, 3).get(0);
		assertTrue(row.problem().contains("outside the results folder"), row.problem());

		index(results, name, "failed: out of memory");
		row = ResultScores.score(new Counting(), entries, results, 3).get(0);
		assertTrue(row.problem().contains("not written by the batch (failed: out of memory)"), row.problem());
	}
}
