package sc.fiji.stylecrafter.pipeline;

/**
 * A cheap look at a latent while sampling runs: each latent pixel's 4 channels mapped to RGB by a fixed linear map
 * instead of a VAE decode (which costs as much as several UNet calls). The map is the least-squares fit of decoded
 * RGB on latents that is widely used for previews of Stable-Diffusion-family latents (VideoCrafter1 shares that VAE);
 * the picture is blurry and its colours approximate, which is all a preview needs.
 *
 * @param frames frames in the preview
 * @param width width in latent pixels (the result's width / 8)
 * @param height height in latent pixels
 * @param argb one packed ARGB array of {@code width * height} per frame
 */
public record LatentPreview(int frames, int width, int height, int[][] argb) {

	/** RGB = sum over channels c of latent[c] * FACTORS[c]; values around [-1, 1]. */
	static final float[][] FACTORS = { //
		{ 0.3512f, 0.2297f, 0.3227f }, //
		{ 0.3250f, 0.4974f, 0.2350f }, //
		{ -0.2829f, 0.1762f, 0.2721f }, //
		{ -0.2120f, -0.2616f, -0.7177f } };

	/**
	 * @param latent the values of a latent {@code [1, 4, frames, height, width]} (channel-major), in the model's
	 *          scaled latent space (as the sampler holds it)
	 */
	public static LatentPreview of(float[] latent, int frames, int height, int width) {
		int plane = height * width, channels = FACTORS.length;
		if (latent.length != channels * frames * plane) {
			throw new IllegalArgumentException("latent of " + latent.length + " values is not 4x" + frames + "x" + height + "x" + width);
		}
		int[][] argb = new int[frames][plane];
		for (int f = 0; f < frames; f++) {
			for (int i = 0; i < plane; i++) {
				float r = 0, g = 0, b = 0;
				for (int c = 0; c < channels; c++) {
					float v = latent[(c * frames + f) * plane + i];
					r += v * FACTORS[c][0];
					g += v * FACTORS[c][1];
					b += v * FACTORS[c][2];
				}
				argb[f][i] = 0xFF000000 | byteOf(r) << 16 | byteOf(g) << 8 | byteOf(b);
			}
		}
		return new LatentPreview(frames, width, height, argb);
	}

	private static int byteOf(float v) {
		return Math.max(0, Math.min(255, Math.round((v + 1) * 127.5f)));
	}
}
