package sc.fiji.stylecrafter.clip;

/**
 * The OpenCLIP text tower ({@code text_cfg} of an OpenCLIP model config).
 *
 * @param vocabSize {@code vocab_size}
 * @param contextLength {@code context_length}
 * @param width {@code width}
 * @param heads {@code heads}
 * @param layers {@code layers}; StyleCrafter uses the output of block {@code layers - 1} (the penultimate)
 */
public record ClipTextConfig(int vocabSize, int contextLength, int width, int heads, int layers) {

	/** ViT-H/14's text tower. */
	public static final ClipTextConfig VIT_H_14 = new ClipTextConfig(49408, 77, 1024, 16, 24);

	public ClipTextConfig {
		if (vocabSize < 1 || contextLength < 2 || width < 1 || heads < 1 || layers < 2) {
			throw new IllegalArgumentException("invalid text tower config " + this);
		}
		if (width % heads != 0) throw new IllegalArgumentException("text width " + width + " is not a multiple of heads " + heads);
	}
}
