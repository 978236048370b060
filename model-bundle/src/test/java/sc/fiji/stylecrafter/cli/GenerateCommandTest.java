package sc.fiji.stylecrafter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.stylecrafter.io.Fixtures;
import sc.fiji.stylecrafter.io.Npy;
import sc.fiji.stylecrafter.model.ModelConfig;
import sc.fiji.stylecrafter.pipeline.GenerationSettings;
import sc.fiji.stylecrafter.pipeline.StyleCrafterPipeline;
import sc.fiji.stylecrafter.testing.GoldenRuns;
import sc.fiji.stylecrafter.image.RgbImage;
import sc.fiji.stylecrafter.video.VideoReader;
import sc.fiji.stylecrafter.video.VideoWriter;

/** The command line end to end on the golden model folder, and its argument errors. */
class GenerateCommandTest {

	@TempDir
	Path tmp;


	/** The golden video_single run, every setting from the folder, writes the official uint8 frames (within one), as a TIFF and a sidecar. */
	@Test
	void writesTheOfficialFramesOfTheGoldenRun() throws Exception {
		Path g = Fixtures.goldenFolder();
		GoldenRuns.Run run = GoldenRuns.videoSingle();
		GenerationSettings s = run.settings();
		Npy.Array want = Npy.read(g.resolve(run.name() + "_frames_uint8.npy")); // [3, t, H, W]
		int t = (int) want.shape()[1], h = (int) want.shape()[2], w = (int) want.shape()[3];
		Path tif = tmp.resolve("fox.tif");
		Cli.Result r = Cli.run("generate", "--models", g.toString(), "--prompt", run.prompt(), "--style", run.styles().get(0).toString(),
			"--frames", "" + s.frames(), "--width", "" + s.width(), "--height", "" + s.height(), "--steps", "" + s.steps(), "--seed", "" + s.seed(),
			"--eta", "" + s.eta(), "--text-guidance", "" + s.textGuidance(), "--style-guidance", "" + s.styleGuidance(), "--device", "cpu",
			"--out", tif.toString());
		assertEquals(0, r.code(), r.err());
		List<BufferedImage> pages = new ArrayList<>();
		try (ImageInputStream in = ImageIO.createImageInputStream(tif.toFile())) {
			ImageReader reader = ImageIO.getImageReadersByFormatName("tiff").next();
			reader.setInput(in);
			for (int i = 0; i < reader.getNumImages(true); i++) pages.add(reader.read(i));
		}
		assertEquals(t, pages.size());
		int off = 0;
		for (int f = 0; f < t; f++) {
			for (int y = 0; y < h; y++) {
				for (int x = 0; x < w; x++) {
					int p = pages.get(f).getRGB(x, y);
					for (int c = 0; c < 3; c++) {
						int got = (p >> (16 - 8 * c)) & 0xFF, exp = (int) want.longs()[((c * t + f) * h + y) * w + x];
						assertTrue(Math.abs(got - exp) <= 1, "frame " + f + " pixel " + x + "," + y);
						if (got != exp) off++;
					}
				}
			}
		}
		assertTrue(off <= want.numel() / 1000, off + " values off by one");
		String json = Files.readString(tmp.resolve("fox.json"));
		assertTrue(json.contains("\"seed\": " + s.seed()) && json.contains("\"style_guidance\": " + s.styleGuidance()) && json.contains(run.prompt()), json);
	}

	@Test
	void badArgumentsGiveOneLineAndExitTwo() {
		Cli.Result missing = Cli.run("generate", "--models", "m", "--style", "a.png", "--out", "o.tif");
		assertEquals(2, missing.code());
		assertTrue(missing.err().startsWith("stylecrafter generate: --prompt is required"), missing.err());
		Cli.Result steps = Cli.run("generate", "--models", "m", "--prompt", "x", "--style", "a.png", "--out", "o.tif", "--steps", "ten");
		assertTrue(steps.err().contains("--steps must be a whole number, got 'ten'"), steps.err());
		Cli.Result width = Cli.run("generate", "--models", "m", "--prompt", "x", "--style", "a.png", "--out", "o.tif", "--width", "100");
		assertTrue(width.err().contains("width 100 is not allowed; use a multiple of 64"), width.err());
		Cli.Result frames = Cli.run("generate", "--models", "m", "--prompt", "x", "--style", "a.png", "--out", "o.tif", "--frames", "0");
		assertTrue(frames.err().contains("frames 0 is out of range"), frames.err());
		Cli.Result mode = Cli.run("generate", "--models", "m", "--prompt", "x", "--style", "a.png", "--out", "o.tif", "--mode", "gif");
		assertTrue(mode.err().contains("--mode 'gif' is not known; allowed: video, image"), mode.err());
		Cli.Result dtype = Cli.run("generate", "--models", "m", "--prompt", "x", "--style", "a.png", "--out", "o.tif", "--dtype", "int8");
		assertTrue(dtype.err().contains("precision 'int8' is not known"), dtype.err());
	}

	@Test
	void failuresBeforeHeavyWorkAreOneLine() throws Exception {
		Path g = Fixtures.goldenFolder();
		Cli.Result noStyle = Cli.run("generate", "--models", g.toString(), "--prompt", "x", "--style", tmp.resolve("none.png").toString(), "--out",
			tmp.resolve("o.tif").toString());
		assertEquals(1, noStyle.code());
		assertTrue(noStyle.err().contains("none.png") && noStyle.err().lines().count() == 1, noStyle.err());
		Path empty = Files.createDirectories(tmp.resolve("empty-models"));
		Cli.Result noModel = Cli.run("generate", "--models", empty.toString(), "--prompt", "x", "--style", g.resolve("style_0.png").toString(), "--out",
			tmp.resolve("o.tif").toString(), "--device", "cpu");
		assertEquals(1, noModel.code());
		assertTrue(noModel.err().contains("model.ckpt") && noModel.err().contains("missing"), noModel.err());
		GenerationSettings gs = GoldenRuns.videoSingle().settings();
		Cli.Result blank = Cli.run("generate", "--models", g.toString(), "--prompt", "   ", "--style", g.resolve("style_0.png").toString(), "--out",
			tmp.resolve("o.tif").toString(), "--device", "cpu", "--frames", "" + gs.frames(), "--width", "" + gs.width(), "--height", "" + gs.height(),
			"--steps", "" + gs.steps());
		assertEquals(1, blank.code());
		assertTrue(blank.err().contains("the prompt is empty"), blank.err());
		int multiple = StyleCrafterPipeline.sizeMultiple(ModelConfig.read(g.resolve(ModelConfig.FILE_NAME)));
		int bad = multiple + Math.max(4, multiple / 2); // not a multiple of what the UNet's depth needs
		Cli.Result size = Cli.run("generate", "--models", g.toString(), "--prompt", "x", "--style", g.resolve("style_0.png").toString(), "--out",
			tmp.resolve("o.tif").toString(), "--device", "cpu", "--width", "" + bad);
		assertEquals(1, size.code());
		assertTrue(size.err().contains("size " + bad + "x") && size.err().contains("multiples of " + multiple), size.err());
		assertTrue(Files.notExists(tmp.resolve("o.tif")), "no half-made output");
	}

	@Test
	void anUnusableModelFolderSaysWhatToRun() throws IOException {
		Path empty = Files.createDirectories(tmp.resolve("no-models"));
		Path style = Fixtures.goldenFolder().resolve("style_0.png");
		Cli.Result r = Cli.run("generate", "--models", empty.toString(), "--prompt", "a fox", "--style", style.toString(), "--out", tmp.resolve("x.tif").toString());
		assertEquals(1, r.code());
		assertTrue(r.err().contains("missing model.ckpt") && r.err().contains("stylecrafter models download --dir " + empty), r.err());
		assertTrue(Files.notExists(tmp.resolve("x.tif")));
	}

	@Test
	void writesAVideoThatFfmpegDecodesAndTakesAVideoAsStyle() throws Exception {
		Path g = Fixtures.goldenFolder();
		GoldenRuns.Run run = GoldenRuns.videoSingle();
		GenerationSettings s = run.settings();
		// a short clip of the style image, shifted a little each frame, as the style reference
		RgbImage style = RgbImage.read(run.styles().get(0));
		List<int[]> clip = new ArrayList<>();
		for (int f = 0; f < 5; f++) {
			int[] px = new int[style.width() * style.height()];
			for (int i = 0; i < px.length; i++) {
				int x = (i % style.width() + 7 * f) % style.width(), y = i / style.width();
				px[i] = style.get(x, y, 0) << 16 | style.get(x, y, 1) << 8 | style.get(x, y, 2);
			}
			clip.add(px);
		}
		Path styleClip = tmp.resolve("style clip.webm");
		VideoWriter.write(styleClip, clip, style.width(), style.height(), VideoWriter.Options.defaults());
		Path mp4 = tmp.resolve("fox.mp4");
		Cli.Result r = Cli.run("generate", "--models", g.toString(), "--prompt", run.prompt(), "--style", styleClip.toString(), "--style-frames", "2",
			"--frames", "" + s.frames(), "--width", "" + s.width(), "--height", "" + s.height(), "--steps", "2", "--device", "cpu", "--fps", "10",
			"--out", mp4.toString());
		assertEquals(0, r.code(), r.err());
		assertTrue(r.err().contains("encoding: " + s.frames() + " frames"), r.err());
		List<RgbImage> frames = VideoReader.all(mp4); // FFmpeg's own decoder
		assertEquals(s.frames(), frames.size());
		assertEquals(s.width(), frames.get(0).width());
		String json = Files.readString(tmp.resolve("fox.json"));
		assertTrue(json.contains("\"fps\": 10") && json.contains("style clip.webm"), json);
		Cli.Result fpsForTiff = Cli.run("generate", "--models", g.toString(), "--prompt", "x", "--style", "a.png", "--out", "o.tif", "--fps", "8");
		assertEquals(2, fpsForTiff.code());
		assertTrue(fpsForTiff.err().contains("--fps applies to .mp4, .webm and .gif"), fpsForTiff.err());
		Path corrupt = Files.write(tmp.resolve("broken.mp4"), new byte[100]);
		Cli.Result bad = Cli.run("generate", "--models", g.toString(), "--prompt", "x", "--style", corrupt.toString(), "--out", tmp.resolve("b.gif").toString());
		assertEquals(1, bad.code());
		assertTrue(bad.err().contains("broken.mp4") && bad.err().contains("cannot be read as a video") && bad.err().lines().count() == 1, bad.err());
		assertTrue(Files.notExists(tmp.resolve("b.gif")));
	}

	@Test
	void batchRunsAListAndReportsTheBadEntry() throws Exception {
		Path g = Fixtures.goldenFolder().toAbsolutePath();
		GoldenRuns.Run run = GoldenRuns.videoSingle();
		Path list = Files.writeString(tmp.resolve("list.json"), "[{\"prompt\": \"" + run.prompt() + "\", \"style_path\": \"" + g.resolve("style_0.png")
			+ "\"}, {\"prompt\": \"no style\"}]");
		Path out = tmp.resolve("batch");
		Cli.Result r = Cli.run("batch", "--models", g.toString(), "--list", list.toString(), "--out", out.toString(), "--format", "gif", "--frames", "2",
			"--width", "" + run.settings().width(), "--height", "" + run.settings().height(), "--steps", "2", "--device", "cpu");
		assertEquals(1, r.code(), "an entry failed: " + r.err());
		assertTrue(r.out().contains("1 written, 0 skipped (already written with the same inputs), 1 failed"), r.out());
		assertTrue(r.err().contains("entry 2/2 'no style': failed: entry 1 has no style_path"), r.err());
		String name = sc.fiji.stylecrafter.batch.BatchRunner.name(sc.fiji.stylecrafter.batch.BatchList.read(list).get(0));
		assertEquals(2, VideoReader.all(out.resolve(name + ".gif")).size());
		// the scores of those results: a table, a CSV, the entry without a result named
		Cli.Result score = Cli.run("score", "--models", g.toString(), "--list", list.toString(), "--results", out.toString(), "--device", "cpu");
		assertEquals(1, score.code(), "one entry has no result: " + score.err());
		String csv = Files.readString(out.resolve("scores.csv"));
		String[] first = csv.lines().skip(1).findFirst().orElseThrow().split(",");
		for (int c = 4; c <= 6; c++) {
			double v = Double.parseDouble(first[c]);
			assertTrue(v >= -1 && v <= 1, csv);
		}
		assertTrue(csv.contains("mean,") && score.out().contains("no style_path"), csv + score.out());
		Cli.Result again = Cli.run("score", "--models", g.toString(), "--list", list.toString(), "--results", out.toString(), "--device", "cpu");
		assertEquals(csv, Files.readString(out.resolve("scores.csv")), "scores are deterministic");
		assertEquals(1, again.code());
		// run again: planned before any model, nothing loaded
		Cli.Result resumed = Cli.run("batch", "--models", g.toString(), "--list", list.toString(), "--out", out.toString(), "--format", "gif", "--frames", "2",
			"--width", "" + run.settings().width(), "--height", "" + run.settings().height(), "--steps", "2", "--device", "cpu");
		assertEquals(1, resumed.code());
		assertTrue(resumed.err().contains("0 to generate, 1 already written, 1 that cannot run") && !resumed.err().contains("loaded model"), resumed.err());
		assertTrue(resumed.out().contains("0 written, 1 skipped"), resumed.out());
		Cli.Result bad = Cli.run("batch", "--list", list.toString(), "--out", out.toString(), "--format", "avi");
		assertEquals(2, bad.code());
		assertTrue(bad.err().contains("--format 'avi' is not known"), bad.err());
	}
}
