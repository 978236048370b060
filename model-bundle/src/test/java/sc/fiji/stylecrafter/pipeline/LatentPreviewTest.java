package sc.fiji.stylecrafter.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The latent-to-RGB map of the live preview: channel-major latents, one packed ARGB plane per frame. */
class LatentPreviewTest {

	@Test
	void mapsEachLatentPixelLinearly() {
		int frames = 2, h = 1, w = 2, plane = h * w;
		float[] latent = new float[4 * frames * plane];
		// frame 1, pixel 0: only channel 0 is 1; frame 0 stays zero (mid-gray)
		latent[(0 * frames + 1) * plane] = 1f;
		LatentPreview p = LatentPreview.of(latent, frames, h, w);
		assertEquals(0xFF808080, p.argb()[0][0]); // round(127.5) = 128
		float[] f = LatentPreview.FACTORS[0];
		int want = 0xFF000000 | Math.round((f[0] + 1) * 127.5f) << 16 | Math.round((f[1] + 1) * 127.5f) << 8 | Math.round((f[2] + 1) * 127.5f);
		assertEquals(want, p.argb()[1][0]);
		assertEquals(0xFF808080, p.argb()[1][1]);
	}

	@Test
	void clampsAndChecksTheShape() {
		float[] latent = new float[4];
		latent[3] = -100f; // far outside: clamps to black in every channel whose factor is negative
		LatentPreview p = LatentPreview.of(latent, 1, 1, 1);
		assertEquals(0xFFFFFFFF, p.argb()[0][0]); // channel 3 has negative factors for r, g and b: -100 * negative -> white
		assertThrows(IllegalArgumentException.class, () -> LatentPreview.of(new float[5], 1, 1, 1));
	}
}
