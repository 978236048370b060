package sc.fiji.stylecrafter.cli.base;

import java.nio.file.Path;
import java.util.Locale;

import picocli.CommandLine.Option;

import sc.fiji.stylecrafter.engine.DeviceChoice;
import sc.fiji.stylecrafter.engine.Precision;
import sc.fiji.stylecrafter.pipeline.GenerationSettings;
import sc.fiji.stylecrafter.pipeline.StyleCrafterPipeline;
import sc.fiji.stylecrafter.setup.ModelSetup;
import sc.fiji.stylecrafter.unet.Mode;
import sc.fiji.stylecrafter.video.VideoFormat;
import sc.fiji.stylecrafter.video.VideoReader;
import sc.fiji.stylecrafter.video.VideoWriter;

/**
 * The options every generating command shares ({@code generate}, {@code batch}, {@code bench-generate}): the model
 * folder, the settings (the official defaults of the mode where not given), device, precision, frame rate and frames
 * per style video. Values are read as text and converted here, so that a bad one is named with what is allowed.
 */
public final class GenerationOptions {

	@Option(names = "--models", paramLabel = "DIR", description = "The model folder (default: $STYLECRAFTER_MODELS or ~/.stylecrafter/models).")
	Path models;

	@Option(names = "--mode", paramLabel = "video|image", description = "A 16-frame video (default) or one image.")
	String mode = "video";

	@Option(names = "--seed", paramLabel = "N", description = "The noise seed (default 123).")
	String seed;

	@Option(names = "--steps", paramLabel = "N", description = "DDIM steps (default 50).")
	String steps;

	@Option(names = "--frames", paramLabel = "N", description = "Frames of a video (default 16).")
	String frames;

	@Option(names = "--width", paramLabel = "W", description = "Width in pixels, a multiple of 64 (default 512).")
	String width;

	@Option(names = "--height", paramLabel = "H", description = "Height in pixels, a multiple of 64 (default 320 video, 512 image).")
	String height;

	@Option(names = "--text-guidance", paramLabel = "X", description = "Text guidance (default 15 video, 6 image).")
	String textGuidance;

	@Option(names = "--style-guidance", paramLabel = "X|none", description = "Style guidance (default 7.5 video, none image).")
	String styleGuidance;

	@Option(names = "--style-weight", paramLabel = "X", description = "Style weight (default 1).")
	String styleWeight;

	@Option(names = "--eta", paramLabel = "X", description = "DDIM eta (default 1).")
	String eta;

	@Option(names = "--device", paramLabel = "auto|cpu|gpu|gpu:N", description = "Where to compute (default auto: the GPU when one is usable; gpu:N: GPU number N of several, as nvidia-smi numbers them).")
	String device = DeviceChoice.AUTO_LABEL;

	@Option(names = "--dtype", paramLabel = "float32|float16|bfloat16", description = "Precision (default float32).")
	String dtype = Precision.DEFAULT_LABEL;

	@Option(names = "--fps", paramLabel = "N", description = "Frames per second of an .mp4, .webm or .gif output (default 8).")
	String fps;

	@Option(names = "--style-frames", paramLabel = "N", description = "Frames taken from each style video as references (default 3).")
	String styleFrames;

	/** The model folder given, else the default one. */
	public Path models() {
		return models != null ? models : ModelSetup.defaultFolder();
	}

	/**
	 * The settings the options give, the official defaults of the mode otherwise.
	 *
	 * @throws IllegalArgumentException naming the bad value and what is allowed
	 */
	public GenerationSettings settings() {
		String m = mode.toLowerCase(Locale.ROOT);
		if (!m.equals("video") && !m.equals("image")) throw new IllegalArgumentException("--mode '" + m + "' is not known; allowed: video, image");
		GenerationSettings.Builder b = GenerationSettings.builder(m.equals("video") ? Mode.VIDEO : Mode.IMAGE);
		if (frames != null) b.frames(wholeNumber("--frames", frames));
		if (width != null) b.width(wholeNumber("--width", width));
		if (height != null) b.height(wholeNumber("--height", height));
		if (steps != null) b.steps(wholeNumber("--steps", steps));
		if (eta != null) b.eta(number("--eta", eta));
		if (textGuidance != null) b.textGuidance((float) number("--text-guidance", textGuidance));
		if (styleGuidance != null) b.styleGuidance(styleGuidance.equalsIgnoreCase("none") ? null : (float) number("--style-guidance", styleGuidance));
		if (styleWeight != null) b.styleWeight((float) number("--style-weight", styleWeight));
		if (seed != null) b.seed(wholeNumber("--seed", seed));
		return b.build();
	}

	/** {@code --width}, or {@code null} where it was not given (a restyled source then gives it, see {@link SourceOptions}). */
	public Integer widthGiven() {
		return width == null ? null : wholeNumber("--width", width);
	}

	/** {@code --height}, or {@code null} where it was not given. */
	public Integer heightGiven() {
		return height == null ? null : wholeNumber("--height", height);
	}

	/** Whether {@code --frames} was given (a restyled source otherwise gives the frame count). */
	public boolean framesGiven() {
		return frames != null;
	}

	public Precision precision() {
		return Precision.parse(dtype);
	}

	public DeviceChoice device() {
		return DeviceChoice.parse(device);
	}

	/**
	 * The frame rate for {@code out}: the default, or {@code --fps} where {@code out} is a video (elsewhere it is refused).
	 *
	 * @param out the output, or {@code null} where the command writes none
	 */
	public int fps(Path out) {
		if (fps == null) return VideoWriter.DEFAULT_FPS;
		if (out != null && VideoFormat.of(out).isEmpty()) throw new IllegalArgumentException("--fps applies to .mp4, .webm and .gif outputs, not to " + out);
		int f = wholeNumber("--fps", fps);
		VideoWriter.checkFrameRate(f);
		return f;
	}

	/** {@code --style-frames}: frames taken from each style video, 1 to the most references; the default without it. */
	public int styleFrames() {
		return styleFrames(styleFrames);
	}

	/** A {@code --style-frames} value ({@code null}: the default). */
	public static int styleFrames(String value) {
		if (value == null) return VideoReader.DEFAULT_STYLE_FRAMES;
		int n = wholeNumber("--style-frames", value);
		if (n < 1 || n > StyleCrafterPipeline.MAX_STYLES) {
			throw new IllegalArgumentException("--style-frames " + n + " is out of range; allowed: 1 to " + StyleCrafterPipeline.MAX_STYLES);
		}
		return n;
	}

	/** An option's whole-number value, or an error naming the option and the value. */
	public static int wholeNumber(String option, String value) {
		try {
			return Integer.parseInt(value);
		}
		catch (NumberFormatException e) {
			throw new IllegalArgumentException(option + " must be a whole number, got '" + value + "'");
		}
	}

	public static double number(String option, String value) {
		try {
			return Double.parseDouble(value);
		}
		catch (NumberFormatException e) {
			throw new IllegalArgumentException(option + " must be a number, got '" + value + "'");
		}
	}
}
