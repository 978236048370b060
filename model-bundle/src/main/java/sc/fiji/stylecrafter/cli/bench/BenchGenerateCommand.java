package sc.fiji.stylecrafter.cli.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

import ai.djl.Device;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import sc.fiji.stylecrafter.cli.base.CliCommand;
import sc.fiji.stylecrafter.cli.base.GenerationOptions;
import sc.fiji.stylecrafter.cli.base.RequestOptions;
import sc.fiji.stylecrafter.cli.base.Terminal;
import sc.fiji.stylecrafter.engine.EngineSettings;
import sc.fiji.stylecrafter.engine.GpuMonitor;
import sc.fiji.stylecrafter.engine.Precision;
import sc.fiji.stylecrafter.io.Npy;
import sc.fiji.stylecrafter.model.ModelConfig;
import sc.fiji.stylecrafter.model.StyleCrafterModel;
import sc.fiji.stylecrafter.nn.FlopCounter;
import sc.fiji.stylecrafter.pipeline.GenerationResult;
import sc.fiji.stylecrafter.pipeline.GenerationSettings;
import sc.fiji.stylecrafter.pipeline.StyleCrafterPipeline;
import sc.fiji.stylecrafter.task.Stage;

/**
 * {@code stylecrafter bench-generate [generate's options] [--runs N] [--out FRAMES.npy]}: a benchmark, not a test.
 * Loads the model once and runs whole generations with {@code generate}'s options (the official sizes unless told
 * otherwise), reporting load time, seconds per step, sampling, decoding and total time, peak resident memory and, on
 * a GPU, peak device memory and utilisation (NVML). {@code --out} saves the last run's frames as uint8
 * {@code [3, frames, H, W]}, the layout of the golden folder's {@code <run>_frames_uint8.npy}, for parity checks.
 */
@Command(name = "bench-generate", mixinStandardHelpOptions = true, description = "A benchmark: whole generations with generate's options.")
public final class BenchGenerateCommand extends CliCommand {

	@Mixin
	RequestOptions request;

	@Mixin
	GenerationOptions options;

	@Option(names = "--runs", paramLabel = "N", description = "Generations to time (default 2).")
	String runs = "2";

	@Option(names = "--out", paramLabel = "FRAMES.npy", description = "Save the last run's frames as uint8 [3, frames, H, W].")
	Path out;

	@Override
	public Integer call() {
		GenerationSettings s;
		Precision precision;
		int n, styleFrames;
		try {
			request.check();
			if (out != null && !out.toString().endsWith(".npy")) throw new IllegalArgumentException("--out of bench-generate is a .npy file");
			n = GenerationOptions.wholeNumber("--runs", runs);
			if (n < 1) throw new IllegalArgumentException("--runs must be at least 1");
			s = options.settings();
			precision = options.precision();
			styleFrames = options.styleFrames();
		}
		catch (IllegalArgumentException e) {
			throw bad(e.getMessage());
		}
		EngineSettings.start(); // libtorch quiet, as for a generation
		Path models = options.models();
		try {
			StyleCrafterPipeline.Request rq = request.request(s, styleFrames);
			StyleCrafterPipeline.check(rq, ModelConfig.read(models.resolve(ModelConfig.FILE_NAME)));
			Device device = options.device().resolve();
			MatmulRate rate = MatmulRate.measure(device, precision.dataType()); // before the model fills the memory
			out().println(rate);
			GpuMonitor gpu = device.isGpu() ? GpuMonitor.start(device.getDeviceId()) : null;
			long t0 = System.nanoTime();
			StyleCrafterModel loaded = Terminal.load(models, device, precision, err(), name());
			if (loaded == null) return 1;
			try (StyleCrafterModel model = loaded) {
				double load = (System.nanoTime() - t0) / 1e9;
				out().printf(Locale.ROOT, "load\t%s on %s (%s)\t%.1f s\tpeak RSS %.0f MB%n", models, model.deviceLabel(), precision.label(), load,
					BenchLoadCommand.peakRssKb() / 1e3);
				GenerationResult r = null;
				for (int i = 0; i < n; i++) {
					Terminal.Progress progress = new Terminal.Progress(err());
					long t1 = System.nanoTime();
					FlopCounter.Counted<GenerationResult> counted = FlopCounter.count(() -> new StyleCrafterPipeline(model).generate(rq, progress, null, null));
					r = counted.result();
					double total = (System.nanoTime() - t1) / 1e9;
					double gflop = counted.flops() / 1e9;
					err().println();
					double sampling = progress.clock.secondsIn(Stage.SAMPLING), decoding = progress.clock.secondsIn(Stage.DECODING);
					out().printf(Locale.ROOT,
						"run %d\t%s %d frame(s) %dx%d, %d steps\ttotal %.2f s\tsampling %.2f s (%.3f s/step)\tdecoding %.2f s\t%.0f GFLOP, %.1f GFLOP/s (%s)\tpeak RSS %.0f MB%n",
						i + 1, s.mode().name().toLowerCase(Locale.ROOT), s.frames(), s.width(), s.height(), s.steps(), total, sampling, sampling / s.steps(), decoding, gflop,
						gflop / total, rate.ratio(gflop / total), BenchLoadCommand.peakRssKb() / 1e3);
				}
				if (gpu != null) out().println(gpu.summary());
				if (out != null) {
					Npy.writeUint8(out, r.rgb8(), 3, r.frameCount(), r.height(), r.width());
					out().println("wrote " + out);
				}
				return 0;
			}
			finally {
				if (gpu != null) gpu.close();
			}
		}
		catch (IOException | RuntimeException e) {
			return failed(e.getMessage());
		}
	}
}
