package sc.fiji.stylecrafter.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * The style crop is computed as a window of Pillow's resize: the same bytes as resizing whole and cropping (checked
 * here against the whole resize on many sizes), and any aspect ratio the official resize accepts works.
 */
class ResizeWindowTest {

	private static RgbImage random(int w, int h, Random rnd) {
		byte[] b = new byte[w * h * 3];
		rnd.nextBytes(b);
		return new RgbImage(w, h, b);
	}

	/** Resize whole, then crop: what torchvision does, for sizes where the whole resize fits in memory. */
	private static RgbImage wholeThenCrop(RgbImage in, int size) {
		int w = in.width(), h = in.height();
		int newLong = (int) ((double) size * Math.max(w, h) / Math.min(w, h));
		int newW = w <= h ? size : newLong, newH = w <= h ? newLong : size;
		RgbImage r = PilResize.bilinear(in, newW, newH);
		int top = (int) Math.rint((r.height() - size) / 2.0), left = (int) Math.rint((r.width() - size) / 2.0);
		byte[] out = new byte[size * size * 3];
		for (int y = 0; y < size; y++) System.arraycopy(r.rgb(), ((y + top) * r.width() + left) * 3, out, y * size * 3, size * 3);
		return new RgbImage(size, size, out);
	}

	@Test
	void theWindowEqualsTheWholeResizeCropped() {
		Random rnd = new Random(7);
		int[][] sizes = { { 700, 90 }, { 90, 700 }, { 512, 512 }, { 513, 512 }, { 1000, 1000 }, { 3, 5 }, { 1, 1 }, { 2000, 37 }, { 640, 480 } };
		for (int[] s : sizes) {
			RgbImage in = random(s[0], s[1], rnd);
			assertArrayEquals(wholeThenCrop(in, 64).rgb(), StylePreprocessor.resizeAndCrop(in, 64).rgb(), s[0] + "x" + s[1]);
		}
		RgbImage in = random(900, 300, rnd);
		assertArrayEquals(wholeThenCrop(in, StylePreprocessor.CROP).rgb(), StylePreprocessor.resizeAndCrop(in, StylePreprocessor.CROP).rgb());
	}

	@Test
	void longThinImagesOfAnyRatioWork() {
		Random rnd = new Random(8);
		for (int[] s : new int[][] { { 16384, 1 }, { 1, 16384 }, { 16384, 2 }, { 33, 1 }, { 16384, 511 } }) {
			RgbImage in = random(s[0], s[1], rnd);
			RgbImage out = StylePreprocessor.resizeAndCrop(in, StylePreprocessor.CROP);
			assertEquals(StylePreprocessor.CROP, out.width());
			assertEquals(StylePreprocessor.CROP, out.height());
		}
		// one colour stays that colour
		byte[] red = new byte[16384 * 3];
		for (int i = 0; i < red.length; i += 3) red[i] = (byte) 200;
		RgbImage out = StylePreprocessor.resizeAndCrop(new RgbImage(16384, 1, red), StylePreprocessor.CROP);
		assertEquals(200, out.get(100, 300, 0));
		assertEquals(0, out.get(100, 300, 1));
	}
}
