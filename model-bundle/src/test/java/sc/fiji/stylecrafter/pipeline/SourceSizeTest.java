package sc.fiji.stylecrafter.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import sc.fiji.stylecrafter.unet.Mode;

/** The generation size of a source to restyle, and the memory check. */
class SourceSizeTest {

	@Test
	void theOfficialPixelCountWithTheSourcesAspectRatio() {
		GenerationSettings v = GenerationSettings.video(), i = GenerationSettings.image();
		assertEquals(new SourceSize(v.width(), v.height()), SourceSize.of(Mode.VIDEO, v.width(), v.height(), null, null), "the official size stays");
		assertEquals(new SourceSize(v.width(), v.height()), SourceSize.of(Mode.VIDEO, v.width() * 3, v.height() * 3, null, null), "any multiple of it too");
		assertEquals(new SourceSize(i.width(), i.height()), SourceSize.of(Mode.IMAGE, 100, 100, null, null));
		assertEquals(new SourceSize(448, 320), SourceSize.of(Mode.VIDEO, 640, 480, null, null));
		assertEquals(new SourceSize(576, 448), SourceSize.of(Mode.IMAGE, 640, 480, null, null));
		assertEquals(new SourceSize(320, 512), SourceSize.of(Mode.VIDEO, 720, 1152, null, null), "portrait");
		assertEquals(new SourceSize(384, 384), SourceSize.of(Mode.VIDEO, 37, 37, null, null), "a square: the nearest multiples of 64 to sqrt(512*320)");
		SourceSize thin = SourceSize.of(Mode.VIDEO, 10000, 1, null, null);
		assertEquals(GenerationSettings.MAX_SIDE, thin.width());
		assertEquals(GenerationSettings.SIZE_STEP, thin.height(), "sides stay within the allowed range");
	}

	@Test
	void aGivenSideIsKeptAndTheOtherFollowsTheAspectRatio() {
		assertEquals(new SourceSize(256, 128), SourceSize.of(Mode.VIDEO, 640, 480, 256, 128), "both given: as given");
		assertEquals(new SourceSize(256, 192), SourceSize.of(Mode.VIDEO, 640, 480, 256, null));
		assertEquals(new SourceSize(512, 384), SourceSize.of(Mode.IMAGE, 640, 480, null, 384));
	}

	@Test
	void aSourceTooLargeForMemorySaysHowManyFramesFit() {
		SourceSize s = new SourceSize(512, 320);
		long one = s.heapBytes(1, 1920, 1080);
		assertEquals(10 * one, s.heapBytes(10, 1920, 1080));
		s.checkMemory(10, 1920, 1080, 10 * one, "clip");
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.checkMemory(10, 1920, 1080, 3 * one + 1, "the source 'clip'"));
		assertTrue(e.getMessage().startsWith("the source 'clip' is too large") && e.getMessage().contains("enough for 3 frame(s)")
			&& e.getMessage().contains("Memory & Threads"), e.getMessage());
	}
}
