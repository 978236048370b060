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
}
