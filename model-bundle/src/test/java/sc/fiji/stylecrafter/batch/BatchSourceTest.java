package sc.fiji.stylecrafter.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.djl.Device;

import sc.fiji.stylecrafter.engine.Precision;
import sc.fiji.stylecrafter.image.RgbImage;
import sc.fiji.stylecrafter.io.Fixtures;
import sc.fiji.stylecrafter.io.Npy;
import sc.fiji.stylecrafter.model.ModelLoader;
import sc.fiji.stylecrafter.model.StyleCrafterModel;
import sc.fiji.stylecrafter.pipeline.GenerationSettings;
import sc.fiji.stylecrafter.testing.RestyleRuns;

/**
 * A batch entry with a {@code source_path}: restyled to the golden run's frames (every setting from
 * {@code restyle.json}), skipped when run again, generated again when a frame of its source changes.
 */
class BatchSourceTest {

	@TempDir
	Path tmp;

	@Test
	void sourcePathIsReadFromTheList() throws IOException {
		Path list = Files.writeString(tmp.resolve("l.json"), "[{\"prompt\": \"a\", \"style_path\": \"s.png\", \"source_path\": \"clips/c.mp4\"},"
			+ " {\"prompt\": \"b\", \"style_path\": \"s.png\"}, {\"prompt\": \"c\", \"style_path\": \"s.png\", \"source_path\": 3}]");
		List<BatchList.Entry> e = BatchList.read(list);
		assertEquals(tmp.toAbsolutePath().resolve("clips/c.mp4"), e.get(0).source());
		assertNull(e.get(1).source(), "no source_path: from noise");
		assertTrue(e.get(2).problem().contains("source_path is not a path"), e.get(2).problem());
	}

	@Test
	void anEntryWithASourceRestylesItAndAChangedSourceRegenerates() throws Exception {
		RestyleRuns.Run run = null;
		for (String name : RestyleRuns.names()) {
			RestyleRuns.Run r = RestyleRuns.named(name);
			if (r.source() != null && r.sourceFrames().size() > 1) {
				run = r;
				break;
			}
		}
		assertNotNull(run, RestyleRuns.FILE + " lists no restyle run of several frames");
		Path frames = Files.createDirectories(tmp.resolve("frames"));
		List<RgbImage> src = run.sourceFrames();
		for (int i = 0; i < src.size(); i++) ImageIO.write(image(src.get(i)), "png", frames.resolve(String.format("%03d.png", i)).toFile());
		StringBuilder styles = new StringBuilder();
		for (Path p : run.styles()) styles.append(styles.length() == 0 ? "" : ", ").append('"').append(p.toAbsolutePath().toString().replace("\\", "/")).append('"');
		Path list = Files.writeString(tmp.resolve("eval.json"), "[{\"prompt\": \"" + run.prompt() + "\", \"style_path\": [" + styles + "], \"source_path\": \"frames\"}]");
		GenerationSettings s = run.settings();
		BatchRunner.Options o = new BatchRunner.Options(s, false, "tif", 8, 3, run.strength(), true);
		Path out = tmp.resolve("out");
		try (StyleCrafterModel model = ModelLoader.load(Fixtures.goldenFolder(), Device.cpu(), Precision.FLOAT32)) {
			BatchRunner.Outcome first = BatchRunner.run(model, BatchList.read(list), out, o, BatchTest.QUIET, () -> false);
			assertEquals(1, first.done(), first.summary());
			BatchRunner.Planned p = BatchRunner.plan(BatchList.read(list), out, o, model.folder()).entries().get(0);
			assertEquals(BatchRunner.Action.SKIP, p.action(), "the same source: skipped");
			assertTrue(p.inputs().get("source").contains("sha256:") && p.inputs().get("strength").equals(Double.toString(run.strength())), p.inputs().toString());
			assertFramesEqualGolden(p.output(), run.name());
			ImageIO.write(image(src.get(0)), "png", frames.resolve(String.format("%03d.png", src.size() - 1)).toFile()); // another last frame
			BatchRunner.Planned again = BatchRunner.plan(BatchList.read(list), out, o, model.folder()).entries().get(0);
			assertEquals(BatchRunner.Action.RUN, again.action());
			assertTrue(again.reason().contains("source (another file or content)"), again.reason());
		}
	}

	private static BufferedImage image(RgbImage f) {
		BufferedImage b = new BufferedImage(f.width(), f.height(), BufferedImage.TYPE_INT_RGB);
		byte[] rgb = f.rgb();
		for (int y = 0; y < f.height(); y++) {
			for (int x = 0; x < f.width(); x++) {
				int i = 3 * (y * f.width() + x);
				b.setRGB(x, y, (rgb[i] & 0xFF) << 16 | (rgb[i + 1] & 0xFF) << 8 | rgb[i + 2] & 0xFF);
			}
		}
		return b;
	}

	private static void assertFramesEqualGolden(Path tif, String run) throws IOException {
		Npy.Array want = Npy.read(Fixtures.goldenFolder().resolve(run + "_frames_uint8.npy")); // [3, t, H, W]
		int t = (int) want.shape()[1], h = (int) want.shape()[2], w = (int) want.shape()[3];
		List<BufferedImage> pages = new java.util.ArrayList<>();
		try (javax.imageio.stream.ImageInputStream in = ImageIO.createImageInputStream(tif.toFile())) {
			javax.imageio.ImageReader reader = ImageIO.getImageReaders(in).next();
			reader.setInput(in);
			for (int i = 0; i < reader.getNumImages(true); i++) pages.add(reader.read(i));
			reader.dispose();
		}
		assertEquals(t, pages.size(), "as many frames as the source");
		long[] exp = want.longs();
		for (int f = 0; f < t; f++) {
			for (int y = 0; y < h; y++) {
				for (int x = 0; x < w; x++) {
					int px = pages.get(f).getRGB(x, y);
					for (int c = 0; c < 3; c++) {
						int got = (px >> (16 - 8 * c)) & 0xFF, e = (int) exp[((c * t + f) * h + y) * w + x];
						assertTrue(Math.abs(got - e) <= 1, run + " frame " + f + " pixel " + x + "," + y);
					}
				}
			}
		}
	}
}
