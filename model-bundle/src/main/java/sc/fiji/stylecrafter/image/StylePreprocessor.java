package sc.fiji.stylecrafter.image;

/**
 * The preprocessing of a style reference, as the official code does it (PITFALLS 6-7).
 * <ol>
 * <li>{@link #resizeAndCrop}: torchvision {@code Resize(512)} on the shorter side (Pillow bilinear with antialias) and
 * {@code CenterCrop(512)}.</li>
 * <li>{@link #toModelRange}: to {@code [0,1]}, then {@code x*2-1}; channels first.</li>
 * <li>{@link #clipInput}: inside the image encoder, kornia's {@code resize(x, (224, 224), 'bicubic',
 * align_corners=True, antialias=True)} (a Gaussian blur before the bicubic reduction), {@code (x+1)/2}, CLIP mean/std.</li>
 * </ol>
 * Plain Java float arithmetic, in the official order of operations; small images, so no accelerator is needed.
 */
public final class StylePreprocessor {

	public static final int CROP = 512;
	private static final float[] MEAN = { 0.48145466f, 0.4578275f, 0.40821073f };
	private static final float[] STD = { 0.26862954f, 0.26130258f, 0.27577711f };
	private static final float A = -0.75f;

	private StylePreprocessor() {}

	/**
	 * Resize(512) on the shorter side, then CenterCrop(512), both as torchvision does on a PIL image. Only the crop is
	 * computed, so any aspect ratio works (a 16384x1 image would resize to 8388608x512 pixels).
	 */
	public static RgbImage resizeAndCrop(RgbImage in, int size) {
		return resizeAndCrop(in, size, PilResize.Filter.BILINEAR);
	}

	/** Resize on the shorter side and centre crop, as torchvision does on a PIL image, with any of Pillow's filters. */
	public static RgbImage resizeAndCrop(RgbImage in, int size, PilResize.Filter filter) {
		long w = in.width(), h = in.height();
		long shortSide = Math.min(w, h), longSide = Math.max(w, h);
		long newShort = size, newLong = (long) ((double) size * longSide / shortSide);
		long newW = w <= h ? newShort : newLong, newH = w <= h ? newLong : newShort;
		long top = (long) Math.rint((newH - size) / 2.0), left = (long) Math.rint((newW - size) / 2.0);
		return PilResize.window(in, newW, newH, left, top, size, size, filter);
	}

	/**
	 * The style crop ({@code resizeAndCrop(in, CROP)}). Applying it to its own result changes nothing, so callers may
	 * reduce large references early to save memory.
	 */
	public static RgbImage styleCrop(RgbImage in) {
		return resizeAndCrop(in, CROP);
	}

	/** Channels-first floats in {@code [-1, 1]}: {@code v / 255 * 2 - 1}. */
	public static float[] toModelRange(RgbImage img) {
		int n = img.width() * img.height();
		float[] out = new float[3 * n];
		byte[] rgb = img.rgb();
		for (int i = 0; i < n; i++) {
			for (int c = 0; c < 3; c++) out[c * n + i] = (rgb[i * 3 + c] & 0xFF) / 255f * 2f - 1f;
		}
		return out;
	}

	/** From a {@code [3, h, w]} image in {@code [-1,1]} to the CLIP input {@code [3, size, size]}. */
	public static float[] clipInput(float[] chw, int h, int w, int size) {
		float[] x = chw;
		double fh = (double) h / size, fw = (double) w / size;
		if (Math.max(fh, fw) > 1) { // kornia blurs only when reducing
			float sy = (float) Math.max((fh - 1.0) / 2.0, 0.001), sx = (float) Math.max((fw - 1.0) / 2.0, 0.001);
			int ky = (int) Math.max(2.0 * 2 * Math.max((fh - 1.0) / 2.0, 0.001), 3), kx = (int) Math.max(2.0 * 2 * Math.max((fw - 1.0) / 2.0, 0.001), 3);
			if (ky % 2 == 0) ky++;
			if (kx % 2 == 0) kx++;
			x = blur(x, h, w, gaussian(kx, sx), true);
			x = blur(x, h, w, gaussian(ky, sy), false);
		}
		float[] out = bicubicAlignCorners(x, h, w, size, size);
		int n = size * size;
		for (int c = 0; c < 3; c++) {
			for (int i = 0; i < n; i++) {
				float v = (out[c * n + i] + 1f) / 2f;
				out[c * n + i] = (v - MEAN[c]) / STD[c];
			}
		}
		return out;
	}

	/** kornia's {@code get_gaussian_kernel1d}: normalised samples at {@code i - k/2}. */
	static float[] gaussian(int k, float sigma) {
		float[] g = new float[k];
		float sum = 0;
		for (int i = 0; i < k; i++) {
			float x = i - k / 2 + (k % 2 == 0 ? 0.5f : 0f);
			g[i] = (float) Math.exp(-(x * x) / (2 * sigma * sigma));
			sum += g[i];
		}
		for (int i = 0; i < k; i++) g[i] /= sum;
		return g;
	}

	/** One pass of kornia's {@code filter2d} with 'reflect' borders, along x or y. */
	private static float[] blur(float[] in, int h, int w, float[] k, boolean alongX) {
		float[] out = new float[in.length];
		int r = k.length / 2;
		for (int c = 0; c < 3; c++) {
			int base = c * h * w;
			for (int y = 0; y < h; y++) {
				for (int x = 0; x < w; x++) {
					float s = 0;
					for (int i = 0; i < k.length; i++) {
						int xx = alongX ? reflect(x + i - r, w) : x, yy = alongX ? y : reflect(y + i - r, h);
						s += in[base + yy * w + xx] * k[i];
					}
					out[base + y * w + x] = s;
				}
			}
		}
		return out;
	}

	private static int reflect(int i, int n) {
		if (n == 1) return 0;
		while (i < 0 || i >= n) i = i < 0 ? -i : 2 * (n - 1) - i;
		return i;
	}

	/** {@code torch.nn.functional.interpolate(mode='bicubic', align_corners=True)}, A = -0.75, clamped borders. */
	static float[] bicubicAlignCorners(float[] in, int h, int w, int oh, int ow) {
		float[] out = new float[3 * oh * ow];
		float scaleY = oh > 1 ? (float) (h - 1) / (oh - 1) : 0f, scaleX = ow > 1 ? (float) (w - 1) / (ow - 1) : 0f;
		int[] ix = new int[ow];
		float[][] wx = new float[ow][];
		for (int x = 0; x < ow; x++) {
			float real = scaleX * x;
			ix[x] = (int) Math.floor(real);
			wx[x] = cubicCoefficients(real - ix[x]);
		}
		for (int c = 0; c < 3; c++) {
			int base = c * h * w;
			for (int y = 0; y < oh; y++) {
				float real = scaleY * y;
				int iy = (int) Math.floor(real);
				float[] wy = cubicCoefficients(real - iy);
				for (int x = 0; x < ow; x++) {
					float acc = 0;
					for (int j = 0; j < 4; j++) {
						int yy = Math.min(Math.max(iy - 1 + j, 0), h - 1);
						float row = 0;
						for (int i = 0; i < 4; i++) {
							int xx = Math.min(Math.max(ix[x] - 1 + i, 0), w - 1);
							row += in[base + yy * w + xx] * wx[x][i];
						}
						acc += row * wy[j];
					}
					out[c * oh * ow + y * ow + x] = acc;
				}
			}
		}
		return out;
	}

	private static float[] cubicCoefficients(float t) {
		float x1 = t, x2 = 1f - t;
		return new float[] { conv2(x1 + 1f), conv1(x1), conv1(x2), conv2(x2 + 1f) };
	}

	private static float conv1(float x) {
		return ((A + 2) * x - (A + 3)) * x * x + 1;
	}

	private static float conv2(float x) {
		return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
	}
}
