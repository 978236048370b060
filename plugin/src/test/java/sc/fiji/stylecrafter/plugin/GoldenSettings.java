package sc.fiji.stylecrafter.plugin;

import java.io.IOException;
import java.io.UncheckedIOException;

import sc.fiji.stylecrafter.io.Fixtures;
import sc.fiji.stylecrafter.model.ModelConfig;
import sc.fiji.stylecrafter.pipeline.GenerationSettings;
import sc.fiji.stylecrafter.pipeline.StyleCrafterPipeline;
import sc.fiji.stylecrafter.testing.GoldenRuns;

/**
 * Command inputs taken from the golden folder's runs ({@link GoldenRuns}), so the plugin tests follow whatever folder
 * they are given: the parity runs with every setting of the golden run, and quick runs at the golden image size with
 * two steps (a size the folder's model accepts, whatever its depth).
 */
final class GoldenSettings {

	private GoldenSettings() {}

	/** The command's inputs for a golden run (style and device added by the caller). */
	static java.util.Map<String, Object> inputs(GoldenRuns.Run run) {
		GenerationSettings s = run.settings();
		java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
		m.put("prompt", run.prompt());
		if (s.mode() == sc.fiji.stylecrafter.unet.Mode.VIDEO) m.put("frames", s.frames());
		m.put("width", s.width());
		m.put("height", s.height());
		m.put("steps", s.steps());
		m.put("seed", s.seed());
		m.put("guidance", (double) s.textGuidance());
		if (s.styleGuidance() != null) m.put("styleguidance", (double) s.styleGuidance());
		return m;
	}

	/** A prompt of the golden folder, for runs whose prompt does not matter. */
	static String prompt() {
		return GoldenRuns.videoSingle().prompt();
	}

	static int width() {
		return GoldenRuns.imageSingle().settings().width();
	}

	static int height() {
		return GoldenRuns.imageSingle().settings().height();
	}

	/** The quick-run keys for a macro: {@code width=W height=H steps=2}. */
	static String quickMacroKeys() {
		return "width=" + width() + " height=" + height() + " steps=2";
	}

	/** What width and height must be multiples of for the folder's model. */
	static int sizeMultiple() {
		try {
			return StyleCrafterPipeline.sizeMultiple(ModelConfig.read(Fixtures.goldenFolder().resolve(ModelConfig.FILE_NAME)));
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}
}
