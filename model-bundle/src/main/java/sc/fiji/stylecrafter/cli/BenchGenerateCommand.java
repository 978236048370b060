package sc.fiji.stylecrafter.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

import ai.djl.Device;
import sc.fiji.stylecrafter.nn.FlopCounter;
import sc.fiji.stylecrafter.image.RgbImage;
import sc.fiji.stylecrafter.io.Npy;
import sc.fiji.stylecrafter.model.ModelConfig;
import sc.fiji.stylecrafter.pipeline.GenerationResult;
import sc.fiji.stylecrafter.task.Stage;
import sc.fiji.stylecrafter.model.StyleCrafterModel;
import sc.fiji.stylecrafter.pipeline.StyleCrafterPipeline;
import sc.fiji.stylecrafter.engine.GpuMonitor;
import sc.fiji.stylecrafter.video.VideoReader;
import sc.fiji.stylecrafter.engine.DeviceChoice;

/**
 * {@code stylecrafter bench-generate [generate's options] [--runs N] [--out FRAMES.npy]}: a benchmark, not a test.
 * Loads the model once and runs whole generations with {@code generate}'s options (the official sizes unless told
 * otherwise), reporting load time, seconds per step, sampling, decoding and total time, peak resident memory and, on
 * a GPU, peak device memory and utilisation (NVML). {@code --out} saves the last run's frames as uint8
 * {@code [3, frames, H, W]}, the layout of the golden folder's {@code <run>_frames_uint8.npy}, for parity checks.
 */
final class BenchGenerateCommand {

	static final String USAGE = "usage: stylecrafter bench-generate [--models DIR] --prompt TEXT --style IMAGE [generate's options] [--runs N] [--out FRAMES.npy]";

	private BenchGenerateCommand() {}

	static int run(String[] argv, PrintStream out, PrintStream err) {
		int runs = 2;
		List<String> rest = new java.util.ArrayList<>();
		for (int i = 0; i < argv.length; i++) {
			if (argv[i].equals("--runs") && i + 1 < argv.length) {
				try {
					runs = Integer.parseInt(argv[++i]);
				}
				catch (NumberFormatException e) {
					err.println("stylecrafter bench-generate: --runs must be a whole number, got '" + argv[i] + "'");
					return 2;
				}
			}
			else rest.add(argv[i]);
		}
		GenerateCommand.Args a;
		try {
			a = GenerateCommand.parse(rest.toArray(String[]::new), false);
			if (a.out() != null && !a.out().toString().endsWith(".npy")) throw new IllegalArgumentException("--out of bench-generate is a .npy file");
			if (runs < 1) throw new IllegalArgumentException("--runs must be at least 1");
		}
		catch (IllegalArgumentException e) {
			err.println("stylecrafter bench-generate: " + e.getMessage());
			err.println(USAGE);
			return 2;
		}
		try {
			List<RgbImage> styles = VideoReader.styleReferences(a.styles(), a.styleFrames());
			StyleCrafterPipeline.Request request = new StyleCrafterPipeline.Request(a.prompt(), styles, a.settings());
			StyleCrafterPipeline.check(request, ModelConfig.read(a.models().resolve(ModelConfig.FILE_NAME)));
			Device device = DeviceChoice.parse(a.device()).resolve();
			MatmulRate rate = MatmulRate.measure(device, a.precision().dataType()); // before the model fills the memory
			out.println(rate);
			GpuMonitor gpu = device.isGpu() ? GpuMonitor.start(device.getDeviceId()) : null;
			long t0 = System.nanoTime();
			StyleCrafterModel loaded = GenerateCommand.load(a.models(), device, a.precision(), err, "bench-generate");
			if (loaded == null) return 1;
			try (StyleCrafterModel model = loaded) {
				double load = (System.nanoTime() - t0) / 1e9;
				out.printf(Locale.ROOT, "load\t%s on %s (%s)\t%.1f s\tpeak RSS %.0f MB%n", a.models(), DeviceChoice.label(device), a.precision().label(), load,
					BenchLoadCommand.peakRssKb() / 1e3);
				var s = a.settings();
				GenerationResult r = null;
				for (int i = 0; i < runs; i++) {
					GenerateCommand.TerminalProgress progress = new GenerateCommand.TerminalProgress(err);
					long t1 = System.nanoTime();
					FlopCounter.Counted<GenerationResult> counted = FlopCounter.count(() -> new StyleCrafterPipeline(model).generate(request, progress, null, null));
					r = counted.result();
					double total = (System.nanoTime() - t1) / 1e9;
					double gflop = counted.flops() / 1e9;
					err.println();
					double sampling = progress.clock.secondsIn(Stage.SAMPLING), decoding = progress.clock.secondsIn(Stage.DECODING);
					out.printf(Locale.ROOT,
						"run %d\t%s %d frame(s) %dx%d, %d steps\ttotal %.2f s\tsampling %.2f s (%.3f s/step)\tdecoding %.2f s\t%.0f GFLOP, %.1f GFLOP/s (%s)\tpeak RSS %.0f MB%n",
						i + 1, s.mode().name().toLowerCase(Locale.ROOT), s.frames(), s.width(), s.height(), s.steps(), total, sampling, sampling / s.steps(), decoding, gflop,
						gflop / total, rate.ratio(gflop / total), BenchLoadCommand.peakRssKb() / 1e3);
				}
				if (gpu != null) out.println(gpu.summary());
				if (a.out() != null) {
					Npy.writeUint8(a.out(), r.rgb8(), 3, r.frameCount(), r.height(), r.width());
					out.println("wrote " + a.out());
				}
				return 0;
			}
			finally {
				if (gpu != null) gpu.close();
			}
		}
		catch (IOException | RuntimeException e) {
			err.println("stylecrafter bench-generate: " + InspectCommand.oneLine(e.getMessage()));
			return 1;
		}
	}
}
