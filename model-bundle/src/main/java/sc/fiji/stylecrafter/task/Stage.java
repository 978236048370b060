package sc.fiji.stylecrafter.task;

import java.util.Locale;

/** What a generation is doing, as progress reports it. */
public enum Stage {

	/** Encoding the prompt and the style references. */
	ENCODING(null),
	/** The DDIM steps: one unit a step. */
	SAMPLING("step"),
	/** The VAE decoding frames: one unit a frame. */
	DECODING("frame");

	private final String unit;

	Stage(String unit) {
		this.unit = unit;
	}

	/** What one unit of the stage is ("step", "frame"), or {@code null} for a stage without units. */
	public String unit() {
		return unit;
	}

	/** The stage's name for messages ("sampling"). */
	@Override
	public String toString() {
		return name().toLowerCase(Locale.ROOT);
	}
}
