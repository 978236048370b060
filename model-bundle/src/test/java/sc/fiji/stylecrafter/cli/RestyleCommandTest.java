package sc.fiji.stylecrafter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.stylecrafter.image.RgbImage;
import sc.fiji.stylecrafter.io.Fixtures;
import sc.fiji.stylecrafter.io.Npy;
import sc.fiji.stylecrafter.pipeline.GenerationSettings;
import sc.fiji.stylecrafter.testing.RestyleRuns;

/** {@code generate --source ... --strength ...} end to end on the golden model folder, and its argument errors. */
class RestyleCommandTest {

	@TempDir
	Path tmp;

	/**
	 * The golden restyle runs of several frames, their source given as a multi-page TIFF, every setting from
	 * {@code restyle.json}: the official 8-bit frames within one.
	 */
	@Test
	void restylesAMultiPageTiffToTheOfficialFrames() throws Exception {
		Path g = Fixtures.goldenFolder();
		int checked = 0;
		for (String name : RestyleRuns.names()) {
			RestyleRuns.Run run = RestyleRuns.named(name);
			if (run.source() == null || run.sourceFrames().size() < 2 || run.settings().styleGuidance() == null) continue;
			GenerationSettings s = run.settings();
			Path source = tmp.resolve(name + "_source.tif");
			writeTiff(run.sourceFrames(), source);
			Path out = tmp.resolve(name + ".tif");
			List<String> args = new ArrayList<>(List.of("generate", "--models", g.toString(), "--prompt", run.prompt(), "--source", source.toString(), "--strength",
				"" + run.strength(), "--width", "" + s.width(), "--height", "" + s.height(), "--steps", "" + s.steps(), "--seed", "" + s.seed(), "--eta",
				"" + s.eta(), "--text-guidance", "" + s.textGuidance(), "--style-guidance", "" + s.styleGuidance(), "--window", "" + run.window(), "--overlap",
				"" + run.overlap(), "--device", "cpu", "--out", out.toString()));
			for (Path style : run.styles()) args.addAll(List.of("--style", style.toString()));
			Cli.Result r = Cli.run(args.toArray(String[]::new));
			assertEquals(0, r.code(), r.err());
			Npy.Array want = Npy.read(g.resolve(name + "_frames_uint8.npy")); // [3, t, H, W]
			int t = (int) want.shape()[1], h = (int) want.shape()[2], w = (int) want.shape()[3];
			List<BufferedImage> pages = readTiff(out);
			assertEquals(t, pages.size(), name + ": frames written (as many as the source has)");
			int off = 0;
			for (int f = 0; f < t; f++) {
				for (int y = 0; y < h; y++) {
					for (int x = 0; x < w; x++) {
						int p = pages.get(f).getRGB(x, y);
						for (int c = 0; c < 3; c++) {
							int got = (p >> (16 - 8 * c)) & 0xFF, exp = (int) want.longs()[((c * t + f) * h + y) * w + x];
							assertTrue(Math.abs(got - exp) <= 1, name + " frame " + f + " pixel " + x + "," + y);
							if (got != exp) off++;
						}
					}
				}
			}
			System.out.printf("%s via the command line: %d of %d values off by one%n", name, off, want.numel());
			assertTrue(off <= want.numel() / 1000, off + " values off by one");
			String json = Files.readString(tmp.resolve(name + ".json"));
			assertTrue(json.contains("\"strength\": " + run.strength()) && json.contains(source.toString()), json);
			checked++;
		}
		assertTrue(checked > 0, RestyleRuns.FILE + " lists no restyle run of several frames with style guidance");
	}

	@Test
	void badRestyleArgumentsAreNamedBeforeAnythingLoads() throws IOException {
		Path g = Fixtures.goldenFolder();
		Path style = g.resolve("style_0.png");
		Cli.Result r = Cli.run("generate", "--models", g.toString(), "--prompt", "x", "--style", style.toString(), "--strength", "0.5", "--out", "o.tif");
		assertEquals(2, r.code());
		assertTrue(r.err().contains("--strength applies to a --source"), r.err());
		r = Cli.run("generate", "--models", g.toString(), "--prompt", "x", "--style", style.toString(), "--source", style.toString(), "--out", "o.tif");
		assertEquals(2, r.code());
		assertTrue(r.err().contains("--strength is required with --source"), r.err());
		r = Cli.run("generate", "--models", g.toString(), "--prompt", "x", "--style", style.toString(), "--source", style.toString(), "--strength", "1.5", "--out",
			"o.tif");
		assertEquals(2, r.code());
		assertTrue(r.err().contains("--strength 1.5 is out of range; allowed: more than 0 up to 1"), r.err());
		r = Cli.run("generate", "--models", g.toString(), "--prompt", "x", "--style", style.toString(), "--window", "4", "--overlap", "4", "--out", "o.tif");
		assertEquals(2, r.code());
		assertTrue(r.err().contains("overlap 4 is not smaller than the window 4"), r.err());
		Path empty = Files.createDirectory(tmp.resolve("empty"));
		r = Cli.run("generate", "--models", g.toString(), "--prompt", "x", "--style", style.toString(), "--source", empty.toString(), "--strength", "0.5",
			"--out", tmp.resolve("o.tif").toString());
		assertEquals(1, r.code());
		assertTrue(r.err().contains(empty + " holds no frame files"), r.err());
		Path folder = Files.createDirectory(tmp.resolve("frames"));
		ImageIO.write(toImage(new RgbImage(64, 64, new byte[64 * 64 * 3])), "png", folder.resolve("001.png").toFile());
		r = Cli.run("generate", "--models", g.toString(), "--prompt", "x", "--style", style.toString(), "--source", folder.toString(), "--strength", "0.5",
			"--frames", "3", "--out", tmp.resolve("o.tif").toString());
		assertEquals(1, r.code());
		assertTrue(r.err().contains(folder + " has 1 frame(s), fewer than --frames 3"), r.err());
		ImageIO.write(toImage(new RgbImage(64, 48, new byte[64 * 48 * 3])), "png", folder.resolve("002.png").toFile());
		r = Cli.run("generate", "--models", g.toString(), "--prompt", "x", "--style", style.toString(), "--source", folder.toString(), "--strength", "0.5",
			"--out", tmp.resolve("o.tif").toString());
		assertEquals(1, r.code());
		assertTrue(r.err().contains("frame 2 (002.png) is 64x48, the first is 64x64; all frames of a source must have one size"), r.err());
	}

	private static void writeTiff(List<RgbImage> frames, Path file) throws IOException {
		ImageWriter writer = ImageIO.getImageWritersByFormatName("tiff").next();
		try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
			writer.setOutput(out);
			writer.prepareWriteSequence(null);
			for (RgbImage f : frames) writer.writeToSequence(new IIOImage(toImage(f), null, null), null);
			writer.endWriteSequence();
		}
		finally {
			writer.dispose();
		}
	}

	private static List<BufferedImage> readTiff(Path file) throws IOException {
		List<BufferedImage> pages = new ArrayList<>();
		try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
			ImageReader reader = ImageIO.getImageReadersByFormatName("tiff").next();
			reader.setInput(in);
			for (int i = 0; i < reader.getNumImages(true); i++) pages.add(reader.read(i));
		}
		return pages;
	}

	private static BufferedImage toImage(RgbImage f) {
		BufferedImage img = new BufferedImage(f.width(), f.height(), BufferedImage.TYPE_INT_RGB);
		for (int y = 0; y < f.height(); y++) {
			for (int x = 0; x < f.width(); x++) img.setRGB(x, y, f.get(x, y, 0) << 16 | f.get(x, y, 1) << 8 | f.get(x, y, 2));
		}
		return img;
	}
}
