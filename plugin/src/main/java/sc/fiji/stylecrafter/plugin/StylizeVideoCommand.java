package sc.fiji.stylecrafter.plugin;

import java.io.File;
import java.nio.file.Path;

import org.scijava.command.Command;
import org.scijava.plugin.Menu;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.widget.FileWidget;

import sc.fiji.stylecrafter.model.ModelConfig;
import sc.fiji.stylecrafter.pipeline.GenerationSettings;
import sc.fiji.stylecrafter.unet.Mode;
import sc.fiji.stylecrafter.video.VideoWriter;

/** Plugins > StyleCrafter > Stylize Video from Reference: a clip of the prompt in the style of the reference(s). */
@Plugin(type = Command.class, menu = { @Menu(label = "Plugins"), @Menu(label = Menus.STYLECRAFTER), @Menu(label = "Stylize Video from Reference", weight = 1) }, headless = true)
public class StylizeVideoCommand extends AbstractGenerateCommand {

	@Parameter
	private StyleCrafterService models;

	@Parameter(label = "Frames (without a source)", min = "1", max = "" + GenerationSettings.MAX_FRAMES, persist = false,
		description = "Frames of a new clip; a restyled source keeps its own")
	private int frames = GenerationSettings.video().frames();

	@Parameter(label = "Window (frames the model sees at once)", min = "1", max = "" + GenerationSettings.MAX_FRAMES, initializer = "initWindow",
		callback = "windowChanged", persist = false, description = "A longer clip is made in overlapping windows of this many frames (default: the "
			+ "model's temporal length, 16)")
	private int window = GenerationSettings.video().windowFor(ModelConfig.FULL_SIZE.unet().temporalLength());

	@Parameter(label = "Overlap (frames shared by neighbouring windows)", min = "0", max = "" + (GenerationSettings.MAX_FRAMES - 1), persist = false,
		description = "Less than the window (default: a quarter of it)")
	private int overlap = GenerationSettings.defaultOverlap(window);

	/** Whether a macro left window or overlap out: then the model's own (overlap: a quarter of the window). */
	private boolean windowLeftOut, overlapLeftOut;

	@Parameter(label = "Style guidance", persist = false)
	private double styleguidance = GenerationSettings.video().styleGuidance();

	@Parameter(label = "Also save as", required = false, persist = false, style = FileWidget.SAVE_STYLE,
		description = "Optional: a video (.mp4, .webm, .gif) or TIFF (.tif) file to write the result to; empty: none")
	private File save;

	@Parameter(label = "Frame rate (video file)", min = "1", max = "" + VideoWriter.MAX_FPS, persist = false)
	private int fps = VideoWriter.DEFAULT_FPS;

	public StylizeVideoCommand() {
		super(GenerationSettings.video());
	}

	/**
	 * The window and overlap of the model in use (its temporal length, from its config.json), as the dialog's defaults;
	 * values a macro gave (filled in before the initializers run) are kept.
	 */
	protected void initWindow() {
		int temporal = ModelConfig.FULL_SIZE.unet().temporalLength();
		try {
			java.nio.file.Path config = models.modelFolderOrDefault().resolve(ModelConfig.FILE_NAME);
			if (java.nio.file.Files.isRegularFile(config)) temporal = ModelConfig.read(config).unet().temporalLength();
		}
		catch (java.io.IOException | RuntimeException e) {
			// an unreadable config is reported by the run; the dialog shows the official model's window
		}
		if (!isInputResolved("window")) window = GenerationSettings.video().windowFor(temporal);
		if (!isInputResolved("overlap")) overlap = GenerationSettings.defaultOverlap(window);
	}

	/** A new window in the dialog brings its default overlap. */
	protected void windowChanged() {
		overlap = GenerationSettings.defaultOverlap(window);
	}

	@Override
	public void macroDefaults(java.util.Set<String> leftOut) {
		super.macroDefaults(leftOut);
		windowLeftOut = leftOut.contains("window");
		overlapLeftOut = leftOut.contains("overlap");
	}

	@Override
	protected Path save() {
		return save == null || save.getPath().isBlank() ? null : save.toPath();
	}

	@Override
	protected int fps() {
		return fps;
	}

	@Override
	protected GenerationSettings settings(long seed) {
		return GenerationSettings.builder(Mode.VIDEO).frames(frames).width(width).height(height).steps(steps).textGuidance((float) guidance)
			.styleGuidance((float) styleguidance).styleWeight((float) styleweight).seed(seed).window(windowLeftOut ? null : window)
			.overlap(overlapLeftOut ? null : overlap).build();
	}
}
