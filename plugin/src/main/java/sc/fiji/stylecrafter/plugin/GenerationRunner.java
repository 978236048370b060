package sc.fiji.stylecrafter.plugin;

import ij.ImagePlus;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;

import net.imglib2.RandomAccessibleInterval;

import org.scijava.app.StatusService;
import org.scijava.task.Task;
import org.scijava.task.TaskService;

import sc.fiji.stylecrafter.image.RgbImage;
import sc.fiji.stylecrafter.pipeline.GenerationCancelledException;
import sc.fiji.stylecrafter.pipeline.GenerationResult;
import sc.fiji.stylecrafter.pipeline.GenerationSettings;
import sc.fiji.stylecrafter.pipeline.Mode;
import sc.fiji.stylecrafter.pipeline.Precision;
import sc.fiji.stylecrafter.pipeline.ProgressClock;
import sc.fiji.stylecrafter.pipeline.StyleCrafterModel;
import sc.fiji.stylecrafter.pipeline.StyleCrafterPipeline;
import sc.fiji.stylecrafter.sched.SeededNoise;

/**
 * What both generation commands do once their parameters are read: convert the style images, get the model from the
 * service, run the pipeline with progress and cancel wired to SciJava's status and task services, and make the
 * result image. Every failure becomes a {@link UserError} whose message a Fiji user can act on; nothing half-made is
 * returned.
 */
final class GenerationRunner {

	/** A failure to show to the user as it is. */
	static final class UserError extends Exception {

		private static final long serialVersionUID = 1L;

		UserError(String message, Throwable cause) {
			super(message, cause);
		}
	}

	/** The seed value that asks for a random seed. */
	static final long RANDOM_SEED = -1;

	private GenerationRunner() {}

	/** The seed to use: {@code -1} draws a random one (it is recorded in the result's metadata). */
	static long seed(long requested) {
		return requested == RANDOM_SEED ? new SecureRandom().nextInt(Integer.MAX_VALUE) : requested;
	}

	static ImagePlus run(StyleCrafterService service, StatusService status, TaskService tasks, List<RandomAccessibleInterval<?>> styleImages,
		String prompt, GenerationSettings settings, String device, String precision, BooleanSupplier cancelled) throws UserError
	{
		Path folder = service.modelFolder();
		if (folder == null) {
			throw new UserError("No StyleCrafter model folder is set. Run Plugins > StyleCrafter > Set Model Folder... and choose the folder that "
				+ "holds model.ckpt, adapter_v1.pth, temporal_v1_1.pth, open_clip_pytorch_model.bin and the tokenizer vocabulary.", null);
		}
		List<RgbImage> styles = new ArrayList<>();
		int k = 0;
		for (RandomAccessibleInterval<?> img : styleImages) {
			k++;
			if (img == null) continue;
			try {
				styles.addAll(StyleImages.fromImage(img, k == 1 ? "the style image" : "style image " + k));
			}
			catch (IllegalArgumentException e) {
				throw new UserError(e.getMessage(), e);
			}
		}
		if (styles.size() > StyleImages.MAX_REFERENCES) throw new UserError(styles.size() + " style references given; at most " + StyleImages.MAX_REFERENCES, null);
		Precision p;
		try {
			p = Precision.parse(precision);
		}
		catch (IllegalArgumentException e) {
			throw new UserError(e.getMessage(), e);
		}
		StyleCrafterModel model;
		try {
			status.showStatus("StyleCrafter: loading the model (first use only)...");
			model = service.model(folder, device, p);
		}
		catch (NoSuchFileException e) {
			throw new UserError("The model folder " + folder + " lacks " + Path.of(e.getFile()).getFileName() + ". Check it with Plugins > StyleCrafter > "
				+ "Set Model Folder...", e);
		}
		catch (IOException | RuntimeException e) {
			throw new UserError("Could not load the StyleCrafter model from " + folder + ": " + e.getMessage(), e);
		}
		Task task = tasks == null ? null : tasks.createTask("StyleCrafter: " + ResultImages.title(prompt));
		ProgressClock clock = new ProgressClock();
		int frames = settings.mode() == Mode.VIDEO ? settings.frames() : 1;
		try {
			if (task != null) {
				task.setProgressMaximum(settings.steps() + frames); // sampling steps, then decoded frames
				task.start();
			}
			BooleanSupplier stop = () -> cancelled.getAsBoolean() || (task != null && task.isCanceled()) || Thread.currentThread().isInterrupted();
			GenerationResult r = new StyleCrafterPipeline(model).generate(new StyleCrafterPipeline.Request(prompt, styles, settings),
				new SeededNoise(settings.seed()), (done, total, stage) -> {
					clock.update(done, total, stage);
					String msg = "StyleCrafter: " + stage;
					if (!Double.isNaN(clock.secondsPerUnit())) {
						msg = String.format(Locale.ROOT, "StyleCrafter: %s %d/%d, %.1f s/%s, about %s left", stage.equals("sampling") ? "step" : "decoding frame",
							done, total, clock.secondsPerUnit(), clock.unit(), duration(clock.secondsLeft()));
					}
					status.showStatus(done, total, msg);
					if (task != null) {
						task.setProgressValue(stage.equals("decoding") ? settings.steps() + done : done);
						task.setStatusMessage(msg);
					}
				}, stop::getAsBoolean, false);
			Map<String, Object> extra = new LinkedHashMap<>();
			extra.put("device", model.device().toString());
			extra.put("precision", model.precision().label());
			extra.put("style_references", styles.size());
			return ResultImages.toImagePlus(r, extra);
		}
		catch (GenerationCancelledException e) {
			throw new UserError("StyleCrafter was cancelled (" + e.getMessage() + "); the model stays loaded.", e);
		}
		catch (IllegalArgumentException | IllegalStateException e) {
			throw new UserError(e.getMessage(), e);
		}
		finally {
			if (task != null) task.finish();
			status.clearStatus();
		}
	}

	static String duration(double seconds) {
		long s = Math.round(seconds);
		return s >= 60 ? (s / 60) + " min " + (s % 60) + " s" : s + " s";
	}
}
