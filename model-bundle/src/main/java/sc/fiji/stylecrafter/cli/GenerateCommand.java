package sc.fiji.stylecrafter.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import ai.djl.Device;

import sc.fiji.stylecrafter.engine.DeviceChoice;
import sc.fiji.stylecrafter.image.RgbImage;
import sc.fiji.stylecrafter.model.ModelConfig;
import sc.fiji.stylecrafter.setup.ModelSetup;
import sc.fiji.stylecrafter.video.VideoFormat;
import sc.fiji.stylecrafter.video.VideoReader;
import sc.fiji.stylecrafter.video.VideoWriter;
import sc.fiji.stylecrafter.nn.NativeMemory;
import sc.fiji.stylecrafter.output.FrameWriter;
import sc.fiji.stylecrafter.task.Stage;
import sc.fiji.stylecrafter.pipeline.GenerationResult;
import sc.fiji.stylecrafter.pipeline.GenerationSettings;
import sc.fiji.stylecrafter.unet.Mode;
import sc.fiji.stylecrafter.task.Notices;
import sc.fiji.stylecrafter.engine.Precision;
import sc.fiji.stylecrafter.task.ProgressClock;
import sc.fiji.stylecrafter.task.ProgressListener;
import sc.fiji.stylecrafter.model.StyleCrafterModel;
import sc.fiji.stylecrafter.pipeline.StyleCrafterPipeline;
import sc.fiji.stylecrafter.model.ModelLoader;
import sc.fiji.stylecrafter.model.ModelFolderCheck;

/**
 * {@code stylecrafter generate [--models DIR] --prompt TEXT --style IMAGE|VIDEO [--style ...] [options] --out PATH}: one
 * generation, written as a multi-page TIFF, an MP4/WebM/GIF video or numbered PNGs in a folder, with a JSON sidecar. A
 * video given as a style gives {@code --style-frames} evenly spaced frames as references.
 */
final class GenerateCommand {

	static final String USAGE = "usage: stylecrafter generate [--models DIR] --prompt TEXT --style IMAGE|VIDEO [--style ...] [--style-frames N] "
		+ "[--mode video|image] [--seed N] [--steps N] [--frames N] [--width W --height H] [--text-guidance X] [--style-guidance X] [--style-weight X] "
		+ "[--eta X] [--device auto|cpu|gpu] [--dtype float32|float16|bfloat16] [--fps N] --out PATH(.tif, .mp4, .webm, .gif or folder)";

	private GenerateCommand() {}

	/** Parsed arguments. */
	record Args(Path models, String prompt, List<Path> styles, int styleFrames, GenerationSettings settings, String device, Precision precision, Path out,
		int fps)
	{}

	static Args parse(String[] a) {
		return parse(a, true);
	}

	/** @param needOut whether {@code --out} is required (benchmarks may go without) */
	static Args parse(String[] a, boolean needOut) {
		Map<String, String> one = new LinkedHashMap<>();
		List<Path> styles = new ArrayList<>();
		for (int i = 0; i < a.length; i++) {
			String k = a[i];
			if (!k.startsWith("--")) throw new IllegalArgumentException("unexpected argument '" + k + "'");
			if (i + 1 >= a.length) throw new IllegalArgumentException(k + " needs a value");
			String v = a[++i];
			switch (k) {
				case "--style": styles.add(Path.of(v)); break;
				case "--models": case "--prompt": case "--mode": case "--seed": case "--steps": case "--frames": case "--width": case "--height":
				case "--text-guidance": case "--style-guidance": case "--style-weight": case "--eta": case "--device": case "--dtype": case "--out":
				case "--fps": case "--style-frames":
					if (one.put(k, v) != null) throw new IllegalArgumentException(k + " given twice");
					break;
				default: throw new IllegalArgumentException("unknown option '" + k + "'");
			}
		}
		for (String req : needOut ? List.of("--prompt", "--out") : List.of("--prompt")) if (!one.containsKey(req)) throw new IllegalArgumentException(req + " is required");
		if (styles.isEmpty()) throw new IllegalArgumentException("--style is required (one or more style images)");
		GenerationSettings s = settings(one);
		Path models = one.containsKey("--models") ? Path.of(one.get("--models")) : ModelSetup.defaultFolder();
		Path out = one.containsKey("--out") ? Path.of(one.get("--out")) : null;
		int fps = VideoWriter.DEFAULT_FPS;
		if (one.containsKey("--fps")) {
			if (VideoFormat.of(out).isEmpty()) throw new IllegalArgumentException("--fps applies to .mp4, .webm and .gif outputs, not to " + out);
			fps = integer(one, "--fps");
			VideoWriter.checkFrameRate(fps);
		}
		int styleFrames = styleFrames(one);
		return new Args(models, one.get("--prompt"), styles, styleFrames, s, one.getOrDefault("--device", DeviceChoice.AUTO_LABEL),
			Precision.parse(one.getOrDefault("--dtype", Precision.DEFAULT_LABEL)), out, fps);
	}

	/** The generation settings given by the options ({@code --mode}, {@code --frames}, ...), the official defaults otherwise. */
	static GenerationSettings settings(Map<String, String> one) {
		String modeText = one.getOrDefault("--mode", "video").toLowerCase(Locale.ROOT);
		Mode mode;
		if (modeText.equals("video")) mode = Mode.VIDEO;
		else if (modeText.equals("image")) mode = Mode.IMAGE;
		else throw new IllegalArgumentException("--mode '" + modeText + "' is not known; allowed: video, image");
		GenerationSettings.Builder b = GenerationSettings.builder(mode);
		if (one.containsKey("--frames")) b.frames(integer(one, "--frames"));
		if (one.containsKey("--width")) b.width(integer(one, "--width"));
		if (one.containsKey("--height")) b.height(integer(one, "--height"));
		if (one.containsKey("--steps")) b.steps(integer(one, "--steps"));
		if (one.containsKey("--eta")) b.eta(number(one, "--eta"));
		if (one.containsKey("--text-guidance")) b.textGuidance((float) number(one, "--text-guidance"));
		if (one.containsKey("--style-guidance")) {
			String v = one.get("--style-guidance");
			b.styleGuidance(v.equalsIgnoreCase("none") ? null : (float) number(one, "--style-guidance"));
		}
		if (one.containsKey("--style-weight")) b.styleWeight((float) number(one, "--style-weight"));
		if (one.containsKey("--seed")) b.seed(integer(one, "--seed"));
		return b.build();
	}

	/** {@code --style-frames}: frames taken from each style video, 1 to the most references; the default without it. */
	static int styleFrames(Map<String, String> one) {
		if (!one.containsKey("--style-frames")) return VideoReader.DEFAULT_STYLE_FRAMES;
		int n = integer(one, "--style-frames");
		if (n < 1 || n > StyleCrafterPipeline.MAX_STYLES) {
			throw new IllegalArgumentException("--style-frames " + n + " is out of range; allowed: 1 to " + StyleCrafterPipeline.MAX_STYLES);
		}
		return n;
	}

	private static int integer(Map<String, String> m, String k) {
		return wholeNumber(k, m.get(k));
	}

	/** An option's whole-number value, or an error naming the option and the value. */
	static int wholeNumber(String option, String value) {
		try {
			return Integer.parseInt(value);
		}
		catch (NumberFormatException e) {
			throw new IllegalArgumentException(option + " must be a whole number, got '" + value + "'");
		}
	}

	private static double number(Map<String, String> m, String k) {
		try {
			return Double.parseDouble(m.get(k));
		}
		catch (NumberFormatException e) {
			throw new IllegalArgumentException(k + " must be a number, got '" + m.get(k) + "'");
		}
	}

	static int run(String[] argv, PrintStream out, PrintStream err) {
		Args a;
		try {
			a = parse(argv);
		}
		catch (IllegalArgumentException e) {
			err.println("stylecrafter generate: " + e.getMessage());
			err.println(USAGE);
			return 2;
		}
		try {
			List<RgbImage> styles = VideoReader.styleReferences(a.styles(), a.styleFrames());
			StyleCrafterPipeline.Request request = new StyleCrafterPipeline.Request(a.prompt(), styles, a.settings())
				.named(a.styles().stream().map(Path::toString).toList());
			StyleCrafterPipeline.check(request, ModelConfig.read(a.models().resolve(ModelConfig.FILE_NAME))); // before anything heavy
			FrameWriter.checkTarget(a.out());
			Device device = DeviceChoice.parse(a.device()).resolve();
			long t0 = System.nanoTime();
			StyleCrafterModel loaded = load(a.models(), device, a.precision(), err, "generate");
			if (loaded == null) return 1;
			try (StyleCrafterModel model = loaded) {
				err.printf(Locale.ROOT, "loaded model from %s on %s (%s) in %.1f s%n", a.models(), DeviceChoice.label(device), a.precision().label(),
					(System.nanoTime() - t0) / 1e9);
				TerminalProgress progress = new TerminalProgress(err);
				GenerationResult r = new StyleCrafterPipeline(model).generate(request, progress, null, null);
				err.println();
				double sampling = progress.clock.secondsIn(Stage.SAMPLING);
				err.printf(Locale.ROOT, "sampling: %d steps in %.1f s (%.2f s/step); decoding: %d frames in %.1f s%n", r.settings().steps(), sampling,
					sampling / r.settings().steps(), r.frameCount(), progress.clock.secondsIn(Stage.DECODING));
				long t2 = System.nanoTime();
				Path sidecar = FrameWriter.write(r, a.out(), a.fps());
				if (VideoFormat.of(a.out()).isPresent()) {
					err.printf(Locale.ROOT, "encoding: %d frames in %.2f s%n", r.frameCount(), (System.nanoTime() - t2) / 1e9);
				}
				out.println("wrote " + a.out() + " (" + r.frameCount() + " frame(s) of " + r.width() + "x" + r.height() + ") and " + sidecar);
				return 0;
			}
		}
		catch (NoSuchFileException e) {
			err.println("stylecrafter generate: " + e.getFile() + ": " + (e.getReason() == null ? "no such file" : e.getReason()));
			return 1;
		}
		catch (IOException | RuntimeException e) {
			err.println("stylecrafter generate: " + InspectCommand.oneLine(e.getMessage()));
			return 1;
		}
	}

	/**
	 * Loads the model. When that fails on the folder's files, every problem the folder check finds is printed with the
	 * command that sets the folder up, and {@code null} is returned (the check runs only then, so a usable folder's
	 * files are opened once).
	 */
	static StyleCrafterModel load(Path models, Device device, Precision precision, PrintStream err, String command) throws IOException {
		try {
			return ModelLoader.load(models, device, precision, notices(err));
		}
		catch (IOException e) {
			List<String> problems = ModelFolderCheck.check(models);
			if (problems.isEmpty()) throw e;
			for (String p : problems) err.println("stylecrafter " + command + ": " + InspectCommand.oneLine(p));
			err.println("set the model folder up with: stylecrafter models download" + (models.equals(ModelSetup.defaultFolder()) ? "" : " --dir " + models)
				+ " (or give another folder with --models)");
			return null;
		}
	}

	/** Advice on standard error; facts (unused weights) too when {@code STYLECRAFTER_LOG=INFO}. */
	static Notices notices(PrintStream err) {
		boolean info = "INFO".equalsIgnoreCase(System.getenv("STYLECRAFTER_LOG"));
		return (kind, message) -> {
			// from the start of the line, over a progress bar that may be on it (the bar is drawn again at its next update)
			if (kind == Notices.Kind.ADVICE || info) err.println(String.format(Locale.ROOT, "\r%-120s", "stylecrafter: " + message));
		};
	}

	/** A one-line progress bar with seconds per step (per frame while decoding) and the time left. */
	static final class TerminalProgress implements ProgressListener {

		private final PrintStream err;
		private final long start = System.nanoTime();
		final ProgressClock clock = new ProgressClock();

		TerminalProgress(PrintStream err) {
			this.err = err;
		}

		@Override
		public void progress(int done, int total, Stage stage) {
			clock.update(done, total, stage);
			int width = 30, filled = total == 0 ? 0 : done * width / total;
			String eta = Double.isNaN(clock.secondsPerUnit()) ? ""
				: String.format(Locale.ROOT, "  %.2f s/%s, %.0f s left", clock.secondsPerUnit(), clock.unit(), clock.secondsLeft());
			err.printf(Locale.ROOT, "\r[%s%s] %d/%d %s%s (%.0f s, %d MB resident)   ", "#".repeat(filled), " ".repeat(width - filled), done, total, stage,
				eta, (System.nanoTime() - start) / 1e9, NativeMemory.residentMb());
			err.flush();
		}
	}
}
