package sc.fiji.stylecrafter.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Style images of every kind a user may have: converted as PIL's convert("RGB") would, or refused with a reason. */
class RgbImageTest {

	@TempDir
	Path tmp;

	private Path png(BufferedImage img, String name) throws IOException {
		Path p = tmp.resolve(name);
		ImageIO.write(img, "png", p.toFile());
		return p;
	}

	@Test
	void grayIsReplicated() throws IOException {
		BufferedImage g = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
		g.getRaster().setSample(1, 1, 0, 200);
		RgbImage r = RgbImage.read(png(g, "gray.png"));
		assertEquals(200, r.get(1, 1, 0));
		assertEquals(200, r.get(1, 1, 2));
	}

	@Test
	void sixteenBitIsReducedToEightBit() throws IOException {
		BufferedImage g = new BufferedImage(2, 2, BufferedImage.TYPE_USHORT_GRAY);
		g.getRaster().setSample(0, 0, 0, 65535);
		g.getRaster().setSample(1, 0, 0, 0);
		RgbImage r = RgbImage.read(png(g, "gray16.png"));
		assertEquals(255, r.get(0, 0, 1));
		assertEquals(0, r.get(1, 0, 1));
	}

	@Test
	void alphaIsDropped() throws IOException {
		BufferedImage a = new BufferedImage(2, 2, BufferedImage.TYPE_INT_ARGB);
		a.setRGB(0, 0, 0x00FF8040); // fully transparent orange keeps its colour, as PIL's convert("RGB")
		RgbImage r = RgbImage.read(png(a, "alpha.png"));
		assertEquals(0xFF, r.get(0, 0, 0));
		assertEquals(0x80, r.get(0, 0, 1));
		assertEquals(0x40, r.get(0, 0, 2));
	}

	@Test
	void onePixelImageIsUpscaledTo512() {
		RgbImage one = new RgbImage(1, 1, new byte[] { 10, 20, 30 });
		RgbImage crop = StylePreprocessor.resizeAndCrop(one, 512);
		assertEquals(512, crop.width());
		assertEquals(20, crop.get(300, 100, 1));
		float[] clip = StylePreprocessor.clipInput(StylePreprocessor.toModelRange(crop), 512, 512, 224);
		assertEquals(3 * 224 * 224, clip.length);
	}

	@Test
	void emptyHugeAndUnreadableAreRefused() throws IOException {
		assertTrue(assertThrows(IllegalArgumentException.class, () -> new RgbImage(20000, 1, new byte[60000])).getMessage().contains("at most 16384"));
		assertThrows(IllegalArgumentException.class, () -> new RgbImage(0, 5, new byte[0]));
		assertThrows(NoSuchFileException.class, () -> RgbImage.read(tmp.resolve("missing.png")));
		Path txt = Files.writeString(tmp.resolve("notes.png"), "not an image");
		assertTrue(assertThrows(IOException.class, () -> RgbImage.read(txt)).getMessage().contains("not an image"));
	}
}
