package sc.fiji.stylecrafter.cli;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

import ai.djl.Device;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import sc.fiji.stylecrafter.engine.DeviceChoice;
import sc.fiji.stylecrafter.engine.Precision;
import sc.fiji.stylecrafter.model.ModelConfig;
import sc.fiji.stylecrafter.model.StyleCrafterModel;
import sc.fiji.stylecrafter.output.FrameWriter;
import sc.fiji.stylecrafter.pipeline.GenerationResult;
import sc.fiji.stylecrafter.pipeline.GenerationSettings;
import sc.fiji.stylecrafter.pipeline.StyleCrafterPipeline;
import sc.fiji.stylecrafter.task.Stage;
import sc.fiji.stylecrafter.video.VideoFormat;
import sc.fiji.stylecrafter.cli.base.CliCommand;
import sc.fiji.stylecrafter.cli.base.GenerationOptions;
import sc.fiji.stylecrafter.cli.base.RequestOptions;
import sc.fiji.stylecrafter.cli.base.SourceOptions;
import sc.fiji.stylecrafter.cli.base.Terminal;

/**
 * {@code stylecrafter generate [--models DIR] --prompt TEXT --style IMAGE|VIDEO [--style ...] [options] --out PATH}: one
 * generation, written as a multi-page TIFF, an MP4/WebM/GIF video or numbered PNGs in a folder, with its record as a
 * JSON sidecar. A video given as a style gives {@code --style-frames} evenly spaced frames as references. With
 * {@code --source FILE|FOLDER --strength X} it restyles a given clip or image instead of starting from noise
 * ({@link SourceOptions}); {@code --window}/{@code --overlap} set the windows of a long clip.
 */
@Command(name = "generate", mixinStandardHelpOptions = true, description = "One video or image from a prompt and style references.")
final class GenerateCommand extends CliCommand {

	@Mixin
	RequestOptions request;

	@Mixin
	GenerationOptions options;

	@Mixin
	SourceOptions source;

	@Option(names = "--out", paramLabel = "PATH", description = "A .tif, .mp4, .webm or .gif file, or a folder for numbered PNGs.")
	Path out;

	@Override
	public Integer call() {
		GenerationSettings settings;
		Precision precision;
		DeviceChoice device;
		int fps, styleFrames;
		try {
			request.check();
			if (out == null) throw new IllegalArgumentException("--out is required");
			settings = source.settings(options.settings());
			precision = options.precision();
			device = options.device();
			fps = options.fps(out);
			styleFrames = options.styleFrames();
		}
		catch (IllegalArgumentException e) {
			throw bad(e.getMessage());
		}
		Path models = options.models();
		try {
			StyleCrafterPipeline.Request rq = request.request(settings, styleFrames);
			if (source.given()) rq = source.restyle(rq, options);
			int count = StyleCrafterPipeline.check(rq, ModelConfig.read(models.resolve(ModelConfig.FILE_NAME))); // before anything heavy
			int ran = rq.source() == null ? settings.steps() : rq.source().steps(count);
			FrameWriter.checkTarget(out);
			Device d = device.resolve();
			long t0 = System.nanoTime();
			StyleCrafterModel loaded = Terminal.load(models, d, precision, err(), name());
			if (loaded == null) return 1;
			try (StyleCrafterModel model = loaded) {
				err().printf(Locale.ROOT, "loaded model from %s on %s (%s) in %.1f s%n", models, model.deviceLabel(), precision.label(), (System.nanoTime() - t0) / 1e9);
				Terminal.Progress progress = new Terminal.Progress(err());
				GenerationResult r = new StyleCrafterPipeline(model).generate(rq, progress, null, null);
				err().println();
				double sampling = progress.clock.secondsIn(Stage.SAMPLING);
				err().printf(Locale.ROOT, "sampling: %d steps in %.1f s (%.2f s/step); decoding: %d frames in %.1f s%n", ran, sampling,
					sampling / Math.max(1, ran), r.frameCount(), progress.clock.secondsIn(Stage.DECODING));
				long t2 = System.nanoTime();
				Path sidecar = FrameWriter.write(r, out, fps);
				if (VideoFormat.of(out).isPresent()) err().printf(Locale.ROOT, "encoding: %d frames in %.2f s%n", r.frameCount(), (System.nanoTime() - t2) / 1e9);
				out().println("wrote " + out + " (" + r.frameCount() + " frame(s) of " + r.width() + "x" + r.height() + ") and " + sidecar);
				return 0;
			}
		}
		catch (NoSuchFileException e) {
			return failed(e.getFile() + ": " + (e.getReason() == null ? "no such file" : e.getReason()));
		}
		catch (IOException | RuntimeException e) {
			return failed(e);
		}
	}
}
