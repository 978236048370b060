package sc.fiji.stylecrafter.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;

import sc.fiji.stylecrafter.image.RgbImage;
import sc.fiji.stylecrafter.model.ModelConfig;

/** What is refused before any weight loads, from the architecture alone. */
class RequestCheckTest {

	static final List<RgbImage> ONE = List.of(new RgbImage(1, 1, new byte[3]));

	static String refused(String prompt, List<RgbImage> styles, GenerationSettings s) {
		return assertThrows(IllegalArgumentException.class, () -> StyleCrafterPipeline.check(new StyleCrafterPipeline.Request(prompt, styles, s),
			ModelConfig.FULL_SIZE)).getMessage();
	}

	@Test
	void theOfficialModelNeedsSizesInStepsOfSixtyFour() {
		assertEquals(GenerationSettings.SIZE_STEP, StyleCrafterPipeline.sizeMultiple(ModelConfig.FULL_SIZE), "one source for the dialog's size step");
		for (int bad : new int[] { 8, 16, 72, 96, 328 }) {
			String m = refused("a cat", ONE, GenerationSettings.image().toBuilder().width(bad).height(512).build());
			assertTrue(m.contains("size " + bad + "x512") && m.contains("multiples of 64"), m);
		}
		assertEquals(50, StyleCrafterPipeline.check(new StyleCrafterPipeline.Request("a cat", ONE, GenerationSettings.image().toBuilder().width(64).height(576).build()),
			ModelConfig.FULL_SIZE));
	}

	@Test
	void promptStylesFramesAndStepsAreCheckedWithoutAModel() {
		GenerationSettings v = GenerationSettings.video();
		assertTrue(refused(" ", ONE, v).contains("prompt is empty"));
		assertTrue(refused("x", List.of(), v).contains("at least one style image"));
		assertTrue(refused("x", Collections.nCopies(17, ONE.get(0)), v).contains("17 style images given; allowed: 1 to 16"));
		assertTrue(refused("x", ONE, v.toBuilder().steps(3).build()).contains("steps 3 is not supported"));
		assertEquals(31, StyleCrafterPipeline.check(new StyleCrafterPipeline.Request("x", ONE, v.toBuilder().steps(30).build()), ModelConfig.FULL_SIZE),
			"30 uniform steps run 31 timesteps, as in the official code");
	}

	static String refused(StyleCrafterPipeline.Request rq) {
		return assertThrows(IllegalArgumentException.class, () -> StyleCrafterPipeline.check(rq, ModelConfig.FULL_SIZE)).getMessage();
	}

	@Test
	void windowAndOverlapAreCheckedAgainstTheModel() {
		GenerationSettings v = GenerationSettings.video();
		int max = StyleCrafterPipeline.maxWindow(ModelConfig.FULL_SIZE);
		String m = refused("x", ONE, v.toBuilder().window(max + 1).build());
		assertTrue(m.contains("window " + (max + 1) + " is larger than this model allows; allowed: 1 to " + max), m);
		m = refused("x", ONE, v.toBuilder().overlap(ModelConfig.FULL_SIZE.unet().temporalLength()).build());
		assertTrue(m.contains("overlap 16 is not smaller than the window 16; allowed: 0 to 15"), m);
		m = assertThrows(IllegalArgumentException.class, () -> v.toBuilder().window(8).overlap(8).build()).getMessage();
		assertTrue(m.contains("overlap 8 is not smaller than the window 8"), m);
		assertEquals(50, StyleCrafterPipeline.check(new StyleCrafterPipeline.Request("x", ONE, v.toBuilder().frames(GenerationSettings.MAX_FRAMES).build()),
			ModelConfig.FULL_SIZE), "a clip longer than the window is denoised in windows");
	}

	@Test
	void aSourceIsCheckedBeforeAnythingLoads() {
		GenerationSettings v = GenerationSettings.video().toBuilder().frames(2).width(64).height(128).build();
		RgbImage f = new RgbImage(64, 128, new byte[64 * 128 * 3]);
		StyleCrafterPipeline.Request rq = new StyleCrafterPipeline.Request("x", ONE, v);
		for (double bad : new double[] { 0, -0.5, 1.01, Double.NaN }) {
			String m = refused(rq.restyling(new StyleCrafterPipeline.Source(List.of(f, f), bad, "clip.mp4")));
			assertTrue(m.contains("strength " + bad + " is out of range; allowed: more than 0 up to 1"), m);
		}
		assertTrue(refused(rq.restyling(new StyleCrafterPipeline.Source(List.of(), 0.5, "clip.mp4"))).contains("the source clip.mp4 has no frames"));
		String m = refused(rq.restyling(new StyleCrafterPipeline.Source(List.of(f, new RgbImage(64, 64, new byte[64 * 64 * 3])), 0.5, null)));
		assertTrue(m.contains("frame 2 is 64x64, frame 1 is 64x128; all frames must have one size"), m);
		m = refused(new StyleCrafterPipeline.Request("x", ONE, v.toBuilder().width(128).build()).restyling(new StyleCrafterPipeline.Source(List.of(f, f), 0.5, null)));
		assertTrue(m.contains("the source is 64x128, the generation size is 128x128"), m);
		m = refused(rq.restyling(new StyleCrafterPipeline.Source(List.of(f), 0.5, null)));
		assertTrue(m.contains("the source has 1 frame(s), the settings ask for 2"), m);
		assertEquals(50, StyleCrafterPipeline.check(rq.restyling(new StyleCrafterPipeline.Source(List.of(f, f), 1.0, null)), ModelConfig.FULL_SIZE));
	}

	@Test
	void restylingRunsTheStrengthsShareOfTheSteps() {
		StyleCrafterPipeline.Source s = new StyleCrafterPipeline.Source(List.of(ONE.get(0)), 0.6, null);
		assertEquals(3, s.steps(5));
		assertEquals(30, s.steps(50));
		assertEquals(1, new StyleCrafterPipeline.Source(ONE, 0.01, null).steps(50), "at least one step");
		assertEquals(50, new StyleCrafterPipeline.Source(ONE, 1.0, null).steps(50), "strength 1 runs every step");
	}

	@Test
	void windowsCoverTheClipTheLastAlignedToItsEnd() {
		assertEquals(List.of(0), TemporalWindows.of(16, 16, 4).starts());
		assertTrue(TemporalWindows.of(3, 16, 4).plain());
		assertEquals(List.of(0, 12, 24, 34), TemporalWindows.of(50, 16, 4).starts());
		assertEquals(List.of(0, 12, 24), TemporalWindows.of(40, 16, 4).starts());
		assertEquals(List.of(0, 1, 2), TemporalWindows.of(3, 1, 0).starts());
		assertThrows(IllegalArgumentException.class, () -> TemporalWindows.of(20, 4, 4));
	}
}
