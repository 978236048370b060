package sc.fiji.stylecrafter.plugin;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.scijava.ItemIO;
import org.scijava.app.StatusService;
import org.scijava.command.Command;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Menu;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.task.TaskService;
import org.scijava.widget.FileWidget;

import sc.fiji.stylecrafter.batch.BatchList;
import sc.fiji.stylecrafter.batch.BatchRunner;
import sc.fiji.stylecrafter.engine.DeviceChoice;
import sc.fiji.stylecrafter.task.CancellationToken;
import sc.fiji.stylecrafter.task.GenerationCancelledException;
import sc.fiji.stylecrafter.pipeline.GenerationSettings;
import sc.fiji.stylecrafter.pipeline.StyleCrafterPipeline;
import sc.fiji.stylecrafter.unet.Mode;
import sc.fiji.stylecrafter.engine.Precision;
import sc.fiji.stylecrafter.video.VideoReader;
import sc.fiji.stylecrafter.video.VideoWriter;
import sc.fiji.stylecrafter.task.Messages;

/**
 * Plugins > StyleCrafter > Batch from List (StyleCrafter)...: every entry of a list in the official {@code eval_data} format
 * ({@code [{"prompt": ..., "style_path": ...}, ...]}) into a folder, with the model loaded once; see
 * {@link BatchRunner}. Sizes, frames and steps of 0 mean the official defaults of the mode (for an entry with a
 * {@code source_path}: its frames, and the size {@link sc.fiji.stylecrafter.pipeline.SourceSize} gives). Stopping (cancel in the
 * task list) keeps what is written; running it again resumes.
 */
@Plugin(type = Command.class, menu = { @Menu(label = "Plugins"), @Menu(label = Menus.STYLECRAFTER), @Menu(label = "Batch from List (StyleCrafter)...", weight = 12) }, headless = true)
public class BatchFromListCommand extends ContextCommand implements MacroFriendly {

	@Parameter
	private StyleCrafterService service;

	@Parameter(required = false)
	private StatusService status;

	@Parameter(required = false)
	private TaskService tasks;

	@Parameter(required = false)
	private LogService log;

	@Parameter(label = "List (JSON)", style = FileWidget.OPEN_STYLE, persist = false)
	private File list;

	@Parameter(label = "Output folder", style = FileWidget.DIRECTORY_STYLE, persist = false)
	private File out;

	@Parameter(label = "Output format", choices = { "mp4", "webm", "gif", "tif", "png" }, persist = false)
	private String format = "mp4";

	@Parameter(label = "Mode", choices = { "video", "image" }, persist = false)
	private String mode = "video";

	@Parameter(label = "Official seeding (one random stream for the list)", persist = false)
	private boolean officialseeding;

	@Parameter(label = "Seed", persist = false)
	private long seed = GenerationSettings.DEFAULT_SEED;

	@Parameter(label = "Frames (0: official)", min = "0", max = "" + GenerationSettings.MAX_FRAMES, persist = false)
	private int frames;

	@Parameter(label = "Width (0: official)", min = "0", max = "" + GenerationSettings.MAX_SIDE, persist = false)
	private int width;

	@Parameter(label = "Height (0: official)", min = "0", max = "" + GenerationSettings.MAX_SIDE, persist = false)
	private int height;

	@Parameter(label = "Steps (0: official)", min = "0", max = "" + GenerationSettings.MAX_STEPS, persist = false)
	private int steps;

	@Parameter(label = "Strength (entries with a source_path)", min = "0", max = "1", stepSize = "0.05", persist = false,
		description = "How far an entry with a source_path moves from its source: more than 0 up to 1 (1 keeps least)")
	private double strength = StyleCrafterPipeline.Source.DEFAULT_STRENGTH;

	@Parameter(label = "Frame rate (video files)", min = "1", max = "" + VideoWriter.MAX_FPS, persist = false)
	private int fps = VideoWriter.DEFAULT_FPS;

	@Parameter(label = "Device", choices = { DeviceChoice.AUTO_LABEL, DeviceChoice.CPU_LABEL, DeviceChoice.GPU_LABEL }, persist = false)
	private String device = DeviceChoice.AUTO_LABEL;

	@Parameter(label = "Precision", choices = { Precision.FLOAT32_LABEL, Precision.FLOAT16_LABEL, Precision.BFLOAT16_LABEL }, description = "float16 on a GPU; bfloat16 on a CPU (faster, less exact)", persist = false)
	private String precision = Precision.DEFAULT_LABEL;

	@Parameter(type = ItemIO.OUTPUT, label = "StyleCrafter batch")
	private String report;

	@Override
	public void run() {
		try {
			if (list == null || out == null) throw new IllegalArgumentException("give the list file (list=) and the output folder (out=)");
			List<BatchList.Entry> entries = BatchList.read(list.toPath());
			GenerationSettings.Builder b = GenerationSettings.builder(mode.equals("image") ? Mode.IMAGE : Mode.VIDEO).seed(seed);
			if (frames > 0) b.frames(frames);
			if (width > 0) b.width(width);
			if (height > 0) b.height(height);
			if (steps > 0) b.steps(steps);
			GenerationSettings s = b.build();
			BatchRunner.Options options = new BatchRunner.Options(s, officialseeding, format, fps, VideoReader.DEFAULT_STYLE_FRAMES, strength, width > 0 || height > 0);
			Path folder = service.modelFolderOrDefault();
			BatchRunner.Plan plan = BatchRunner.plan(entries, out.toPath(), options, folder);
			if (log != null) log.info("StyleCrafter batch: " + entries.size() + " entries: " + plan.summary());
			try (FijiProgress progress = FijiProgress.start("StyleCrafter batch", "StyleCrafter batch: " + list.getName(), tasks, status, log)
				.generations(s.steps(), s.mode() == Mode.VIDEO ? s.frames() : 1).batch(entries.size()))
			{
				CancellationToken cancel = () -> isCanceled() || progress.cancelled() || service.closing();
				BatchRunner.Outcome o = plan.toRun() == 0 ? BatchRunner.run(null, plan, progress, cancel)
					: service.withModel(folder, device, Precision.parse(precision), () -> progress.status("waiting for the running generation to finish..."), model -> {
						try {
							return BatchRunner.run(model, plan, progress, cancel);
						}
						catch (IOException e) {
							throw new UncheckedIOException(e);
						}
					});
				report = o.summary() + "; see " + o.index();
				progress.report("StyleCrafter batch: " + report);
				if (o.failed() > 0) fail("Batch from List: " + o.failed() + " of " + entries.size() + " entries failed (their reasons are in " + o.index()
					+ " and the Log); " + report);
			}
		}
		catch (GenerationCancelledException e) {
			fail("The batch was stopped (" + e.getMessage() + "); what was written is kept, and running it again resumes.");
		}
		catch (UncheckedIOException e) {
			fail("Batch from List: " + Messages.of(e.getCause()));
		}
		catch (IOException | IllegalArgumentException e) {
			fail("Batch from List: " + Messages.of(e));
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			fail("Batch from List: interrupted");
		}
	}

	private void fail(String message) {
		UserMessages.fail(this, message, log);
	}
}
