package sc.fiji.stylecrafter.pipeline;

/**
 * The frames of a generation, and its record.
 *
 * @param record what the generation was (prompt, settings, references, device, precision, routes, scales, seconds)
 * @param frames model-range values (about [-1, 1]), laid out {@code [3, t, H, W]} (channels, frames, rows, columns)
 * @param rgb8 the same as 8-bit values, clamped to [-1, 1], mapped to [0, 255] and truncated as the official code does
 *          (PITFALLS 23), same layout
 */
public record GenerationResult(GenerationRecord record, int frameCount, int width, int height, float[] frames, byte[] rgb8) {

	public String prompt() {
		return record.prompt();
	}

	public GenerationSettings settings() {
		return record.settings();
	}

	/** The same frames with one more fact of the host's in the record ({@link GenerationRecord#with}). */
	public GenerationResult with(String key, Object value) {
		return new GenerationResult(record.with(key, value), frameCount, width, height, frames, rgb8);
	}

	/** One frame as packed {@code 0xRRGGBB} pixels, row-major. */
	public int[] argb(int frame) {
		int n = width * height, plane = frameCount * n;
		int[] out = new int[n];
		for (int i = 0; i < n; i++) {
			int r = rgb8[frame * n + i] & 0xFF, g = rgb8[plane + frame * n + i] & 0xFF, b = rgb8[2 * plane + frame * n + i] & 0xFF;
			out[i] = 0xFF000000 | r << 16 | g << 8 | b;
		}
		return out;
	}

	/** The 8-bit conversion of the official save path. */
	public static byte[] toUint8(float[] x) {
		byte[] out = new byte[x.length];
		for (int i = 0; i < x.length; i++) {
			float v = Math.max(-1f, Math.min(1f, x[i]));
			out[i] = (byte) (int) ((v + 1f) / 2f * 255f);
		}
		return out;
	}
}
