package sc.fiji.stylecrafter.clip;

/**
 * The OpenCLIP vision tower ({@code vision_cfg}).
 *
 * @param imageSize {@code image_size} (224)
 * @param patchSize {@code patch_size} (14)
 * @param width {@code width}
 * @param layers {@code layers}
 * @param headWidth {@code head_width}; heads = width / head_width
 */
public record ClipVisionConfig(int imageSize, int patchSize, int width, int layers, int headWidth) {

	/** ViT-H/14's vision tower. */
	public static final ClipVisionConfig VIT_H_14 = new ClipVisionConfig(224, 14, 1280, 32, 80);

	public ClipVisionConfig {
		if (imageSize < 1 || patchSize < 1 || imageSize % patchSize != 0 || width < 1 || layers < 1 || headWidth < 1 || width % headWidth != 0) {
			throw new IllegalArgumentException("invalid vision tower config " + this);
		}
	}

	public int heads() {
		return width / headWidth;
	}

	public int grid() {
		return imageSize / patchSize;
	}

	/** Class token plus one token per patch (257 for ViT-H/14). */
	public int tokens() {
		return grid() * grid() + 1;
	}
}
