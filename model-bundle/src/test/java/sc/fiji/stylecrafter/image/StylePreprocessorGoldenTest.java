package sc.fiji.stylecrafter.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import sc.fiji.stylecrafter.io.Fixtures;
import sc.fiji.stylecrafter.io.Npy;
import sc.fiji.stylecrafter.testing.Compare;

/** The 512 crop (exact bytes) and the 224 CLIP input of every style_N.png in the golden folder. */
class StylePreprocessorGoldenTest {

	@Test
	void cropAndClipInputMatchTheOfficialCode() throws IOException {
		Path golden = Fixtures.goldenFolder();
		Npy.Array crops = Npy.read(golden.resolve("style_512_uint8.npy"));
		Npy.Array clip = Npy.read(golden.resolve("style_clip_input.npy"));
		int n = (int) crops.shape()[0], s = (int) crops.shape()[2], cs = (int) clip.shape()[2];
		for (int i = 0; i < n; i++) {
			RgbImage img = RgbImage.read(golden.resolve("style_" + i + ".png"));
			RgbImage crop = StylePreprocessor.resizeAndCrop(img, s);
			int off = i * 3 * s * s, diff = 0, maxDiff = 0;
			for (int c = 0; c < 3; c++) {
				for (int p = 0; p < s * s; p++) {
					int want = (int) crops.longs()[off + c * s * s + p], got = crop.rgb()[p * 3 + c] & 0xFF;
					if (want != got) diff++;
					maxDiff = Math.max(maxDiff, Math.abs(want - got));
				}
			}
			assertEquals(0, diff, "style_" + i + ": " + diff + " bytes differ from torchvision (max " + maxDiff + ")");
			float[] x = StylePreprocessor.clipInput(StylePreprocessor.toModelRange(crop), s, s, cs);
			float[] want = java.util.Arrays.copyOfRange(clip.floats(), i * 3 * cs * cs, (i + 1) * 3 * cs * cs);
			double err = Compare.relativeError(x, want);
			System.out.printf("style_%d clip input: relative error %.3g%n", i, err);
			assertTrue(err < 1e-4, "style_" + i + " clip input relative error " + err);
		}
	}
}
