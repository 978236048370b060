package sc.fiji.stylecrafter.task;

/** What a generation is doing, as progress reports it. */
public enum Stage {

	/** Encoding the prompt and the style references. */
	ENCODING(null, "encoding"),
	/** The VAE encoding the frames of a source to restyle: one unit a frame. */
	SOURCE("frame", "encoding the source"),
	/** The DDIM steps: one unit a step. */
	SAMPLING("step", "sampling"),
	/** The VAE decoding frames: one unit a frame. */
	DECODING("frame", "decoding");

	private final String unit;
	private final String label;

	Stage(String unit, String label) {
		this.unit = unit;
		this.label = label;
	}

	/** What one unit of the stage is ("step", "frame"), or {@code null} for a stage without units. */
	public String unit() {
		return unit;
	}

	/** The stage's name for messages ("sampling", "encoding the source"). */
	@Override
	public String toString() {
		return label;
	}
}
