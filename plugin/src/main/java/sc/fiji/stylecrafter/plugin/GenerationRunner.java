package sc.fiji.stylecrafter.plugin;

import ij.ImagePlus;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import org.scijava.app.StatusService;
import org.scijava.log.LogService;
import org.scijava.task.TaskService;
import org.scijava.thread.ThreadService;

import sc.fiji.stylecrafter.image.RgbImage;
import sc.fiji.stylecrafter.model.ModelConfig;
import sc.fiji.stylecrafter.output.FrameWriter;
import sc.fiji.stylecrafter.video.VideoWriter;
import sc.fiji.stylecrafter.task.GenerationCancelledException;
import sc.fiji.stylecrafter.pipeline.GenerationResult;
import sc.fiji.stylecrafter.pipeline.GenerationSettings;
import sc.fiji.stylecrafter.unet.Mode;
import sc.fiji.stylecrafter.engine.Precision;
import sc.fiji.stylecrafter.pipeline.StyleCrafterPipeline;
import sc.fiji.stylecrafter.engine.DeviceChoice;
import sc.fiji.stylecrafter.task.Messages;

/**
 * What both generation commands do once their parameters are read: check everything that can be checked before the
 * model loads (prompt, settings, references, model folder), convert the style images, get the model from the service,
 * run the pipeline with progress, preview and cancel wired to SciJava's status and task services, and show the
 * result. Every failure becomes a {@link UserError} whose message a Fiji user can act on; nothing half-made is
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

	/** The services a run uses (all but the model service optional). */
	record Services(StyleCrafterService models, StatusService status, TaskService tasks, ThreadService threads, LogService log) {}

	/**
	 * What the user asked for.
	 *
	 * @param styles titles of open images; the first is required, {@link StyleReferences#NONE} skips an optional one
	 * @param save a file to write the result to as well (.mp4, .webm, .gif, .tif), or {@code null}
	 * @param fps the frame rate of a saved video
	 * @param restyle an open image to restyle, or {@code null} to generate from noise
	 */
	record Request(List<String> styles, String prompt, GenerationSettings settings, String device, String precision, boolean preview, Path save,
		int fps, Restyle restyle)
	{}

	/**
	 * An open image to restyle.
	 *
	 * @param title its title
	 * @param width the width the user gave, or {@code null} for the size {@link sc.fiji.stylecrafter.pipeline.SourceSize} gives
	 * @param height the height the user gave, or {@code null}
	 */
	record Restyle(String title, double strength, Integer width, Integer height) {}

	/** The result image, and whether it was shown through ImageJ. */
	record Outcome(ImagePlus image, boolean shown) {}

	/** The seed value that asks for a random seed. */
	static final long RANDOM_SEED = -1;

	private GenerationRunner() {}

	/** The seed to use: {@code -1} draws a random one (it is recorded in the result's metadata). */
	static long seed(long requested) {
		return requested == RANDOM_SEED ? new SecureRandom().nextInt(Integer.MAX_VALUE) : requested;
	}

	static Outcome run(Services sv, Request rq, BooleanSupplier cancelled) throws UserError {
		// 1. Everything checkable before the model loads.
		Path folder = sv.models().modelFolderOrDefault();
		if (!java.nio.file.Files.isDirectory(folder)) {
			throw new UserError("No StyleCrafter model files yet. Run Plugins > StyleCrafter > Set Up Models... to download them (11 GB, once), "
				+ "or Set Model Folder... to choose a folder that holds them.", null);
		}
		Precision precision;
		List<RgbImage> styles;
		SourceImages.Chosen source = null;
		GenerationSettings settings = rq.settings();
		int steps = settings.steps();
		try {
			precision = Precision.parse(rq.precision());
			DeviceChoice.parse(rq.device()).resolve(); // a GPU asked for but none usable
			styles = references(rq.styles());
			if (rq.restyle() != null) {
				Restyle r = rq.restyle();
				source = SourceImages.read(r.title(), r.strength(), settings, r.width(), r.height());
				settings = source.settings();
			}
			int count = StyleCrafterPipeline.check(new StyleCrafterPipeline.Request(rq.prompt(), styles, settings, List.of(), null,
				source == null ? null : source.source()), config(folder));
			if (source != null) steps = source.source().steps(count); // the steps a restyle runs: its share of the schedule
			if (rq.save() != null) {
				FrameWriter.checkTarget(rq.save());
				VideoWriter.checkFrameRate(rq.fps());
			}
		}
		catch (IllegalArgumentException e) {
			throw new UserError(e.getMessage(), e);
		}
		if (!sv.models().isLoaded(folder, rq.device(), precision)) {
			List<String> problems = sv.models().checkModelFolder(folder);
			if (!problems.isEmpty()) {
				throw new UserError("The model folder " + folder + " cannot be used: " + String.join("; ", problems)
					+ ". Run Plugins > StyleCrafter > Set Up Models... to download what is missing, or Set Model Folder... to choose another folder.", null);
			}
		}
		// 2. Generate with the model, alone.
		int frames = settings.mode() == Mode.VIDEO ? settings.frames() : 1;
		String title = ResultImages.title(rq.prompt());
		ResultDisplay.Preview preview = rq.preview() && ResultDisplay.Preview.possible() ? new ResultDisplay.Preview(title, settings.width(),
			settings.height()) : null;
		List<String> names = rq.styles().stream().filter(t -> !t.equals(StyleReferences.NONE)).toList();
		StyleCrafterPipeline.Request request = new StyleCrafterPipeline.Request(rq.prompt(), styles, settings, names, null,
			source == null ? null : source.source());
		try (FijiProgress progress = FijiProgress.start("StyleCrafter", "StyleCrafter: " + title, sv.tasks(), sv.status(), sv.log())
			.generations(steps, frames, source == null ? 0 : frames))
		{
			BooleanSupplier stop = () -> cancelled.getAsBoolean() || progress.cancelled() || sv.models().closing();
			GenerationResult r = sv.models().withModel(folder, rq.device(), precision, () -> progress.status("waiting for the running generation to finish..."),
				model -> new StyleCrafterPipeline(model).generate(request, progress, preview, stop::getAsBoolean));
			ImagePlus imp = ResultImages.toImagePlus(r);
			if (source != null) SourceImages.fitBack(imp, source);
			boolean shown = ResultDisplay.show(imp, preview, sv.threads());
			if (rq.save() != null) {
				try {
					FrameWriter.write(r, rq.save(), rq.fps());
					sv.status().showStatus("StyleCrafter: saved " + rq.save());
				}
				catch (IOException | RuntimeException e) {
					throw new UserError("The result is open, but saving it to " + rq.save() + " failed: " + Messages.of(e), e);
				}
			}
			return new Outcome(imp, shown);
		}
		catch (GenerationCancelledException e) {
			throw new UserError("StyleCrafter was cancelled (" + e.getMessage() + "); the model stays loaded.", e);
		}
		catch (NoSuchFileException e) {
			throw new UserError("The model folder " + folder + " lacks " + Path.of(e.getFile()).getFileName() + ". Check it with Plugins > StyleCrafter > "
				+ "Set Model Folder...", e);
		}
		catch (IOException e) {
			throw new UserError("Could not load the StyleCrafter model from " + folder + ": " + Messages.of(e), e);
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new UserError("StyleCrafter was interrupted while waiting for the running generation.", e);
		}
		catch (RuntimeException e) {
			throw new UserError(Messages.of(e), e);
		}
		finally {
			if (preview != null) preview.close();
			sv.status().clearStatus();
		}
	}

	private static ModelConfig config(Path folder) throws UserError {
		try {
			return ModelConfig.read(folder.resolve(ModelConfig.FILE_NAME));
		}
		catch (IOException e) {
			throw new UserError("The model folder " + folder + " has an unusable " + ModelConfig.FILE_NAME + ": " + Messages.of(e), e);
		}
	}

	/** The references of every chosen image, counted before anything is converted. */
	static List<RgbImage> references(List<String> titles) {
		List<ImagePlus> images = new ArrayList<>();
		List<String> names = new ArrayList<>();
		int total = 0;
		for (int k = 0; k < titles.size(); k++) {
			String t = titles.get(k);
			String what = k == 0 ? "the style reference (style)" : "reference " + (k + 1) + " (style" + (k + 1) + ")";
			if (k > 0 && (t == null || t.equals(StyleReferences.NONE))) continue;
			ImagePlus imp = StyleReferences.byTitle(t, what);
			images.add(imp);
			names.add("'" + imp.getTitle() + "'");
			total += StyleReferences.count(imp);
		}
		if (total > StyleImages.MAX_REFERENCES) {
			throw new IllegalArgumentException(String.join(", ", names) + " give " + total + " style references (every slice and frame counts); allowed: 1 to "
				+ StyleImages.MAX_REFERENCES);
		}
		List<RgbImage> out = new ArrayList<>();
		for (int i = 0; i < images.size(); i++) out.addAll(StyleReferences.of(images.get(i), names.get(i)));
		return out;
	}
}
