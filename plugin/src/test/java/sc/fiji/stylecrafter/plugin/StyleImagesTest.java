package sc.fiji.stylecrafter.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.ARGBType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.integer.UnsignedShortType;
import net.imglib2.type.numeric.real.FloatType;

import org.junit.jupiter.api.Test;

import sc.fiji.stylecrafter.image.RgbImage;

/** ImgLib2 images of every kind a Fiji user may pick, as style references. */
class StyleImagesTest {

	@Test
	void argbPixelsAreTakenAsTheyAre() {
		Img<ARGBType> img = ArrayImgs.argbs(new int[] { 0xFF102030, 0x80FFFFFF }, 2, 1);
		RgbImage r = StyleImages.fromImage(img, false, "a").get(0);
		assertEquals(0x10, r.get(0, 0, 0));
		assertEquals(0x30, r.get(0, 0, 2));
		assertEquals(0xFF, r.get(1, 0, 1)); // alpha ignored
	}

	@Test
	void eightBitGrayIsReplicatedAsIs() {
		Img<UnsignedByteType> img = ArrayImgs.unsignedBytes(new byte[] { 0, 7, (byte) 200, 1 }, 2, 2);
		RgbImage r = StyleImages.fromImage(img, false, "a").get(0);
		assertEquals(200, r.get(0, 1, 0));
		assertEquals(200, r.get(0, 1, 2));
		assertEquals(7, r.get(1, 0, 1));
	}

	@Test
	void sixteenBitAndFloatAreScaledFromTheirRange() {
		Img<UnsignedShortType> s = ArrayImgs.unsignedShorts(new short[] { 1000, 3000, 2000, 1000 }, 2, 2);
		RgbImage r = StyleImages.fromImage(s, false, "a").get(0);
		assertEquals(0, r.get(0, 0, 0));
		assertEquals(255, r.get(1, 0, 0));
		assertEquals(128, r.get(0, 1, 0));
		Img<FloatType> f = ArrayImgs.floats(new float[] { -1f, 1f, 0f, Float.NaN }, 2, 2);
		RgbImage rf = StyleImages.fromImage(f, false, "a").get(0);
		assertEquals(0, rf.get(0, 0, 1));
		assertEquals(255, rf.get(1, 0, 1));
		assertEquals(0, rf.get(1, 1, 1)); // NaN -> 0
	}

	@Test
	void channelAxisOfThreeOrFourIsColourAndFurtherPlanesAreReferences() {
		Img<UnsignedByteType> rgba = ArrayImgs.unsignedBytes(new byte[] { 10, 20, 30, 99 }, 1, 1, 4);
		RgbImage c = StyleImages.fromImage(rgba, true, "a").get(0);
		assertEquals(10, c.get(0, 0, 0));
		assertEquals(20, c.get(0, 0, 1));
		assertEquals(30, c.get(0, 0, 2));
		Img<UnsignedByteType> stack = ArrayImgs.unsignedBytes(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }, 1, 1, 3, 2, 2);
		List<RgbImage> refs = StyleImages.fromImage(stack, true, "a");
		assertEquals(4, refs.size());
		assertEquals(4, refs.get(1).get(0, 0, 0));
		assertEquals(12, refs.get(3).get(0, 0, 2));
		Img<UnsignedByteType> grays = ArrayImgs.unsignedBytes(new byte[] { 1, 2, 3, 4, 5 }, 1, 1, 5);
		assertEquals(5, StyleImages.fromImage(grays, false, "a").size());
		Img<UnsignedByteType> threeSlices = ArrayImgs.unsignedBytes(new byte[] { 1, 2, 3 }, 1, 1, 3);
		assertEquals(3, StyleImages.fromImage(threeSlices, false, "a").size(), "a third axis of 3 is slices unless the caller says channels");
		assertTrue(assertThrows(IllegalArgumentException.class, () -> StyleImages.fromImage(ArrayImgs.unsignedBytes(1, 1, 2), true, "x")).getMessage()
			.contains("2 channel(s)"));
	}

	@Test
	void unusableImagesAreRefusedWithAReason() {
		assertTrue(assertThrows(IllegalArgumentException.class, () -> StyleImages.fromImage(ArrayImgs.complexFloats(2, 2), false, "the style image"))
			.getMessage().contains("ComplexFloatType"));
		RgbImage bits = StyleImages.fromImage(ArrayImgs.bits(2, 2), false, "a mask").get(0); // a binary mask is usable: black
		assertEquals(0, bits.get(0, 0, 0));
		assertTrue(assertThrows(IllegalArgumentException.class, () -> StyleImages.fromImage(ArrayImgs.unsignedBytes(4), false, "x")).getMessage()
			.contains("at least X and Y"));
		assertTrue(assertThrows(IllegalArgumentException.class, () -> StyleImages.fromImage(ArrayImgs.unsignedBytes(1, 1, 20), false, "x")).getMessage()
			.contains("at most 16"));
		assertTrue(assertThrows(IllegalArgumentException.class, () -> StyleImages.fromImage(ArrayImgs.unsignedBytes(20000, 1), false, "x")).getMessage()
			.contains("20000x1"));
		assertTrue(assertThrows(IllegalArgumentException.class, () -> StyleImages.fromImage(null, false, "x")).getMessage().contains("no style image"));
	}


	@Test
	void eachPlaneIsCroppedAsSoonAsItIsMade() {
		java.util.Random rnd = new java.util.Random(3);
		var stack = ArrayImgs.unsignedBytes(1500, 700, 3);
		for (var px : stack) px.set(rnd.nextInt(256));
		List<RgbImage> whole = StyleImages.fromImage(stack, false, "a");
		List<RgbImage> early = StyleImages.fromImage(stack, false, "a", sc.fiji.stylecrafter.image.StylePreprocessor::styleCrop);
		assertEquals(3, early.size());
		for (int i = 0; i < 3; i++) {
			assertEquals(512, early.get(i).width());
			org.junit.jupiter.api.Assertions.assertArrayEquals(sc.fiji.stylecrafter.image.StylePreprocessor.styleCrop(whole.get(i)).rgb(), early.get(i).rgb());
			// the pipeline crops again: nothing changes
			org.junit.jupiter.api.Assertions.assertSame(early.get(i), sc.fiji.stylecrafter.image.StylePreprocessor.styleCrop(early.get(i)));
		}
	}
}
