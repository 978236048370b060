package sc.fiji.stylecrafter.pipeline;

import sc.fiji.stylecrafter.unet.Mode;

/**
 * Everything that decides a generation besides the prompt and the style images, with the official defaults.
 *
 * @param mode video or image
 * @param frames frames of a video (16); 1 for an image
 * @param width width in pixels, a multiple of 8 (512)
 * @param height height in pixels, a multiple of 8 (320 for video, 512 for image)
 * @param steps DDIM steps (50)
 * @param eta DDIM eta (1.0: fresh noise every step)
 * @param textGuidance text guidance scale (15.0 video, 6.0 image)
 * @param styleGuidance style guidance scale (7.5 video), or {@code null} for the two-branch sampler (image)
 * @param styleWeight the adapter's style weight (1.0)
 * @param seed the seed of the noise (0 to 2^31-1)
 * @param window frames the UNet sees at once: a longer clip is denoised in overlapping windows of this many frames
 *          ({@link TemporalWindows}); {@code null} for the model's temporal length (16)
 * @param overlap frames shared by neighbouring windows, less than the window; {@code null} for a quarter of the window
 */
public record GenerationSettings(Mode mode, int frames, int width, int height, int steps, double eta, float textGuidance, Float styleGuidance,
	float styleWeight, long seed, Integer window, Integer overlap)
{

	public static final long DEFAULT_SEED = 123;
	public static final int MAX_SIDE = 2048;
	/**
	 * At most this many frames. A clip longer than the window is denoised window by window, so the UNet's memory does
	 * not grow with the clip; what grows is the result: at the official 320x512, 256 frames are about 0.6 GB of float
	 * frames (held twice while decoding) and 125 MB of 8-bit ones, and a restyled clip's source frames as many again.
	 * Time grows with the number of windows.
	 */
	public static final int MAX_FRAMES = 256;
	public static final int MAX_STEPS = 1000;
	/** Sizes of the official model go in steps of this ({@link StyleCrafterPipeline#sizeMultiple} of the full-size config). */
	public static final int SIZE_STEP = 64;
	/** Any size must be a multiple of the VAE's downsampling; the model may ask for more (see {@link StyleCrafterPipeline#check}). */
	public static final int MIN_SIDE = 8;

	public GenerationSettings {
		if (mode == null) throw new IllegalArgumentException("mode must be video or image");
		if (frames < 1 || frames > MAX_FRAMES) throw new IllegalArgumentException("frames " + frames + " is out of range; allowed: 1 to " + MAX_FRAMES);
		if (mode == Mode.IMAGE && frames != 1) throw new IllegalArgumentException("an image has 1 frame, not " + frames);
		checkSide("width", width);
		checkSide("height", height);
		if (steps < 1 || steps > MAX_STEPS) throw new IllegalArgumentException("steps " + steps + " is out of range; allowed: 1 to " + MAX_STEPS);
		if (!(eta >= 0 && eta <= 10)) throw new IllegalArgumentException("eta " + eta + " is out of range; allowed: 0 to 10");
		if (!Float.isFinite(textGuidance) || textGuidance < 0 || textGuidance > 100) {
			throw new IllegalArgumentException("text guidance " + textGuidance + " is out of range; allowed: 0 to 100");
		}
		if (styleGuidance != null && (!Float.isFinite(styleGuidance) || styleGuidance < 0 || styleGuidance > 100)) {
			throw new IllegalArgumentException("style guidance " + styleGuidance + " is out of range; allowed: 0 to 100");
		}
		if (!Float.isFinite(styleWeight) || styleWeight < 0 || styleWeight > 10) {
			throw new IllegalArgumentException("style weight " + styleWeight + " is out of range; allowed: 0 to 10");
		}
		if (seed < 0 || seed > Integer.MAX_VALUE) throw new IllegalArgumentException("seed " + seed + " is out of range; allowed: 0 to " + Integer.MAX_VALUE);
		if (window != null && (window < 1 || window > MAX_FRAMES)) {
			throw new IllegalArgumentException("window " + window + " is out of range; allowed: 1 to the model's limit (4 times its temporal length: 64 for the "
				+ "official model)");
		}
		if (overlap != null && overlap < 0) throw new IllegalArgumentException("overlap " + overlap + " is out of range; allowed: 0 to the window less 1");
		if (window != null && overlap != null && overlap >= window) {
			throw new IllegalArgumentException("overlap " + overlap + " is not smaller than the window " + window + "; allowed: 0 to " + (window - 1));
		}
	}

	/** Settings without a window of their own: the model's temporal length, overlap a quarter of it. */
	public GenerationSettings(Mode mode, int frames, int width, int height, int steps, double eta, float textGuidance, Float styleGuidance, float styleWeight,
		long seed)
	{
		this(mode, frames, width, height, steps, eta, textGuidance, styleGuidance, styleWeight, seed, null, null);
	}

	/** The window for a model of temporal length {@code temporalLength}: the one given, or that length. */
	public int windowFor(int temporalLength) {
		return window != null ? window : temporalLength;
	}

	/** The overlap for a model of temporal length {@code temporalLength}: the one given, or a quarter of the window. */
	public int overlapFor(int temporalLength) {
		return overlap != null ? overlap : defaultOverlap(windowFor(temporalLength));
	}

	/** The overlap of windows of {@code window} frames where none is given: a quarter of the window. */
	public static int defaultOverlap(int window) {
		return window / 4;
	}

	/** These settings with the window and overlap a model of temporal length {@code temporalLength} uses (for the record). */
	public GenerationSettings resolvedFor(int temporalLength) {
		return new GenerationSettings(mode, frames, width, height, steps, eta, textGuidance, styleGuidance, styleWeight, seed, windowFor(temporalLength),
			overlapFor(temporalLength));
	}

	/** {@code v} at the nearest allowed side: a multiple of {@link #SIZE_STEP} from {@link #SIZE_STEP} to {@link #MAX_SIDE}. */
	public static int roundedSide(int v) {
		int r = Math.round(v / (float) SIZE_STEP) * SIZE_STEP;
		return Math.max(SIZE_STEP, Math.min(MAX_SIDE, r));
	}

	private static void checkSide(String what, int v) {
		if (v < MIN_SIDE || v > MAX_SIDE || v % MIN_SIDE != 0) {
			throw new IllegalArgumentException(what + " " + v + " is not allowed; use a multiple of " + SIZE_STEP + " from " + SIZE_STEP + " to " + MAX_SIDE
				+ " (the official model needs multiples of " + SIZE_STEP + ")");
		}
	}

	/** The official video defaults: 16 frames of 320x512, 50 steps, eta 1, text 15, style 7.5, weight 1. */
	public static GenerationSettings video() {
		return new GenerationSettings(Mode.VIDEO, 16, 512, 320, 50, 1.0, 15f, 7.5f, 1f, DEFAULT_SEED);
	}

	/** The official image defaults: 512x512, 50 steps, eta 1, text 6, no style guidance, weight 1. */
	public static GenerationSettings image() {
		return new GenerationSettings(Mode.IMAGE, 1, 512, 512, 50, 1.0, 6f, null, 1f, DEFAULT_SEED);
	}

	public static GenerationSettings defaults(Mode mode) {
		return mode == Mode.VIDEO ? video() : image();
	}

	/** A builder from the official defaults of {@code mode} ({@link #video()}, {@link #image()}). */
	public static Builder builder(Mode mode) {
		return defaults(mode).toBuilder();
	}

	/** A builder from these settings. */
	public Builder toBuilder() {
		return new Builder(this);
	}

	/** Settings changed one value at a time; {@link #build} checks them all (the record's rules, naming the bad value). */
	public static final class Builder {

		private final Mode mode;
		private int frames;
		private int width;
		private int height;
		private int steps;
		private double eta;
		private float textGuidance;
		private Float styleGuidance;
		private float styleWeight;
		private long seed;
		private Integer window;
		private Integer overlap;

		private Builder(GenerationSettings s) {
			mode = s.mode;
			frames = s.frames;
			width = s.width;
			height = s.height;
			steps = s.steps;
			eta = s.eta;
			textGuidance = s.textGuidance;
			styleGuidance = s.styleGuidance;
			styleWeight = s.styleWeight;
			seed = s.seed;
			window = s.window;
			overlap = s.overlap;
		}

		public Builder frames(int f) {
			frames = f;
			return this;
		}

		public Builder width(int w) {
			width = w;
			return this;
		}

		public Builder height(int h) {
			height = h;
			return this;
		}

		public Builder steps(int s) {
			steps = s;
			return this;
		}

		public Builder eta(double e) {
			eta = e;
			return this;
		}

		public Builder textGuidance(float g) {
			textGuidance = g;
			return this;
		}

		/** @param g the style guidance scale, or {@code null} for the two-branch sampler */
		public Builder styleGuidance(Float g) {
			styleGuidance = g;
			return this;
		}

		public Builder styleWeight(float w) {
			styleWeight = w;
			return this;
		}

		public Builder seed(long s) {
			seed = s;
			return this;
		}

		/** @param w frames the UNet sees at once, or {@code null} for the model's temporal length */
		public Builder window(Integer w) {
			window = w;
			return this;
		}

		/** @param o frames neighbouring windows share, or {@code null} for a quarter of the window */
		public Builder overlap(Integer o) {
			overlap = o;
			return this;
		}

		/** @throws IllegalArgumentException naming the first bad value and what is allowed */
		public GenerationSettings build() {
			return new GenerationSettings(mode, frames, width, height, steps, eta, textGuidance, styleGuidance, styleWeight, seed, window, overlap);
		}
	}
}
