package sc.fiji.stylecrafter.plugin;

import ij.ImagePlus;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.scijava.ItemIO;
import org.scijava.app.StatusService;
import org.scijava.command.DynamicCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;
import org.scijava.task.TaskService;
import org.scijava.thread.ThreadService;

import sc.fiji.stylecrafter.engine.Precision;
import sc.fiji.stylecrafter.engine.DeviceChoice;
import sc.fiji.stylecrafter.pipeline.GenerationSettings;
import sc.fiji.stylecrafter.pipeline.SourceSize;
import sc.fiji.stylecrafter.pipeline.StyleCrafterPipeline;

/**
 * What the generation commands share: the inputs (their names are the macro keys), the services, and the run that
 * hands everything to {@link GenerationRunner}. Subclasses add their own inputs and say which settings they make.
 * Inputs are not persisted, so that a macro that gives only {@code style} and {@code prompt} always gets the
 * documented defaults; {@link MacroInputs} makes sure such a macro never opens a dialog.
 *
 * <p>The style references are chosen by the title of an open image: the dialog lists each open image once, by its
 * title, with "none" for the optional ones, and a macro line names them as ImageJ's own commands do. So is the optional
 * source to restyle ({@link SourceImages}), "none" by default.
 */
abstract class AbstractGenerateCommand extends DynamicCommand implements MacroFriendly {

	@Parameter
	private StyleCrafterService service;

	@Parameter
	private StatusService status;

	@Parameter(required = false)
	private TaskService tasks;

	@Parameter(required = false)
	private LogService log;

	@Parameter(required = false)
	private ThreadService threads;

	@Parameter(label = "Style reference", initializer = "initReferences", persist = false,
		description = "An open image: gray, RGB or composite; each slice or frame is a further reference")
	private String style;

	@Parameter(label = "Prompt", description = "What to show; the style comes from the reference", persist = false)
	private String prompt = "";

	@Parameter(label = "Second reference", required = false, persist = false)
	private String style2 = StyleReferences.NONE;

	@Parameter(label = "Third reference", required = false, persist = false)
	private String style3 = StyleReferences.NONE;

	@Parameter(label = "Source to restyle", required = false, persist = false,
		description = "none: a new clip from the prompt; an open image or stack: restyled, keeping its frames (time frames, or slices when it has one "
			+ "frame), size and calibration")
	private String source = StyleReferences.NONE;

	@Parameter(label = "Strength (with a source)", stepSize = "0.05", persist = false,
		description = "How far to move from the source, more than 0 up to 1: low keeps its content, high gives the style and prompt more room")
	private double strength = StyleCrafterPipeline.Source.DEFAULT_STRENGTH;

	@Parameter(label = "Seed (-1 for random)", min = "-1", persist = false)
	private long seed = GenerationSettings.DEFAULT_SEED;

	@Parameter(label = "Steps", min = "1", max = "" + GenerationSettings.MAX_STEPS, persist = false)
	protected int steps;

	@Parameter(label = "Width", min = "" + GenerationSettings.SIZE_STEP, max = "" + GenerationSettings.MAX_SIDE, stepSize = "" + GenerationSettings.SIZE_STEP,
		callback = "roundSizes", persist = false)
	protected int width;

	@Parameter(label = "Height", min = "" + GenerationSettings.SIZE_STEP, max = "" + GenerationSettings.MAX_SIDE, stepSize = "" + GenerationSettings.SIZE_STEP,
		callback = "roundSizes", persist = false)
	protected int height;

	@Parameter(label = "Text guidance", persist = false)
	protected double guidance;

	@Parameter(label = "Style weight", persist = false)
	protected double styleweight;

	@Parameter(label = "Device", choices = { DeviceChoice.AUTO_LABEL, DeviceChoice.CPU_LABEL, DeviceChoice.GPU_LABEL }, persist = false)
	private String device = DeviceChoice.AUTO_LABEL;

	@Parameter(label = "Precision", choices = { Precision.FLOAT32_LABEL, Precision.FLOAT16_LABEL, Precision.BFLOAT16_LABEL }, description = "float16 on a GPU; bfloat16 on a CPU (faster, less exact)", persist = false)
	private String precision = Precision.DEFAULT_LABEL;

	@Parameter(label = "Live preview", description = "Show the estimate of the result while sampling runs (with a display; off in macros unless given)",
		persist = false)
	private boolean preview = true;

	@Parameter(label = "Plot the style scales", description = "How strongly each of the 16 style cross-attention layers follows the reference in this "
		+ "run (the adaptive scales); they are in the result's Info either way (off in macros unless given)", persist = false)
	private boolean plot = true;

	@Parameter(type = ItemIO.OUTPUT)
	private ImagePlus result;

	/** The mode's defaults, and whether a macro gave width and height ({@code null}: no macro, compared with the defaults). */
	private final GenerationSettings defaults;
	private Boolean widthGiven, heightGiven;

	/** The mode's defaults for the inputs whose defaults differ between video and image. */
	protected AbstractGenerateCommand(GenerationSettings defaults) {
		this.defaults = defaults;
		this.steps = defaults.steps();
		this.width = defaults.width();
		this.height = defaults.height();
		this.guidance = defaults.textGuidance();
		this.styleweight = defaults.styleWeight();
	}

	/** The settings of this run, with the given (already resolved) seed. */
	protected abstract GenerationSettings settings(long resolvedSeed);

	/** Lists the open images; the style defaults to the current image. */
	protected void initReferences() {
		List<String> titles = StyleReferences.openTitles();
		if (!titles.isEmpty()) {
			StyleReferences.choices(this, "style", titles);
			List<String> optional = new ArrayList<>();
			optional.add(StyleReferences.NONE);
			optional.addAll(titles);
			StyleReferences.choices(this, "style2", optional);
			StyleReferences.choices(this, "style3", optional);
			StyleReferences.choices(this, "source", optional);
		}
		if (style == null || style.isBlank()) style = StyleReferences.currentTitle();
	}

	@Override
	public void macroDefaults(Set<String> leftOut) {
		if (leftOut.contains("preview")) preview = false; // unattended runs need no preview window
		if (leftOut.contains("plot")) plot = false; // nor a plot window
		widthGiven = !leftOut.contains("width");
		heightGiven = !leftOut.contains("height");
	}

	/**
	 * The source to restyle, or {@code null}. A width or height counts as given when a macro names it, or when the
	 * dialog's value is not the mode's default; otherwise the source's aspect ratio decides it ({@link SourceSize}).
	 */
	private GenerationRunner.Restyle restyle() {
		if (source == null || source.isBlank() || source.equals(StyleReferences.NONE)) return null;
		boolean w = widthGiven != null ? widthGiven : width != defaults.width(), h = heightGiven != null ? heightGiven : height != defaults.height();
		return new GenerationRunner.Restyle(source, strength, w ? width : null, h ? height : null);
	}

	/** The dialog keeps width and height at the model's multiples of 64 as they are typed (a macro's values are checked by the run). */
	protected void roundSizes() {
		width = GenerationSettings.roundedSide(width);
		height = GenerationSettings.roundedSide(height);
	}

	/** A file to save the result to as well, or {@code null} (the video command offers one). */
	protected java.nio.file.Path save() {
		return null;
	}

	/** The frame rate of a saved video. */
	protected int fps() {
		return sc.fiji.stylecrafter.video.VideoWriter.DEFAULT_FPS;
	}

	private static String orNone(String title) {
		return title == null || title.isBlank() ? StyleReferences.NONE : title;
	}

	@Override
	public void run() {
		try {
			GenerationSettings settings;
			try {
				settings = settings(GenerationRunner.seed(seed));
			}
			catch (IllegalArgumentException e) {
				throw new GenerationRunner.UserError(e.getMessage(), e);
			}
			GenerationRunner.Outcome out = GenerationRunner.run(new GenerationRunner.Services(service, status, tasks, threads, log),
				new GenerationRunner.Request(List.of(orNone(style), orNone(style2), orNone(style3)), prompt, settings, device, precision, preview, save(),
					fps(), restyle()),
				this::isCanceled);
			result = out.image();
			if (out.shown()) resolveOutput("result"); // shown through ImageJ already; no second display
			// a macro's plot, or one on a screen; not for a headless script (the result's Info holds the scales), where drawing a plot would
			// start Java's font manager (which looks up the host's own name); the result stays the current image of a macro
			if (plot && ResultDisplay.canShow() && (ij.IJ.isMacro() || !java.awt.GraphicsEnvironment.isHeadless())) StyleScalesPlot.of(out.image()).show();
		}
		catch (GenerationRunner.UserError e) {
			UserMessages.fail(this, e.getMessage(), log);
		}
	}
}
