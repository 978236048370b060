package sc.fiji.stylecrafter.plugin;

import ij.ImagePlus;

import java.util.Arrays;

import net.imglib2.RandomAccessibleInterval;

import org.scijava.ItemIO;
import org.scijava.app.StatusService;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;
import org.scijava.task.TaskService;

import sc.fiji.stylecrafter.pipeline.GenerationSettings;

/**
 * What the generation commands share: the inputs (their names are the macro keys), the services, and the run that
 * hands everything to {@link GenerationRunner}. Subclasses add their own inputs and say which settings they make.
 * Inputs are not persisted, so that a macro that gives only {@code style} and {@code prompt} always gets the
 * documented defaults.
 */
abstract class AbstractGenerateCommand extends ContextCommand {

	@Parameter
	private StyleCrafterService service;

	@Parameter
	private StatusService status;

	@Parameter(required = false)
	private TaskService tasks;

	@Parameter(required = false)
	private LogService log;

	@Parameter(label = "Style reference", description = "Any open image: gray, RGB or multichannel; extra slices or frames are further references", persist = false)
	private RandomAccessibleInterval<?> style;

	@Parameter(label = "Prompt", description = "What to show; the style comes from the reference", persist = false)
	private String prompt;

	@Parameter(label = "Second reference (optional)", required = false, persist = false)
	private RandomAccessibleInterval<?> style2;

	@Parameter(label = "Third reference (optional)", required = false, persist = false)
	private RandomAccessibleInterval<?> style3;

	@Parameter(label = "Seed (-1 for random)", min = "-1", persist = false)
	private long seed = GenerationSettings.DEFAULT_SEED;

	@Parameter(label = "Steps", min = "1", max = "1000", persist = false)
	protected int steps = 50;

	@Parameter(label = "Width", min = "64", max = "2048", stepSize = "8", persist = false)
	protected int width;

	@Parameter(label = "Height", min = "64", max = "2048", stepSize = "8", persist = false)
	protected int height;

	@Parameter(label = "Text guidance", persist = false)
	protected double guidance;

	@Parameter(label = "Style weight", persist = false)
	protected double styleweight = 1.0;

	@Parameter(label = "Device", choices = { "auto", "cpu", "gpu" }, persist = false)
	private String device = "auto";

	@Parameter(label = "Precision", choices = { "float32", "float16" }, persist = false)
	private String precision = "float32";

	@Parameter(type = ItemIO.OUTPUT)
	private ImagePlus result;

	/** The mode's defaults for the inputs whose defaults differ between video and image. */
	protected AbstractGenerateCommand(GenerationSettings defaults) {
		this.width = defaults.width();
		this.height = defaults.height();
		this.guidance = defaults.textGuidance();
	}

	/** The settings of this run, with the given (already resolved) seed. */
	protected abstract GenerationSettings settings(long resolvedSeed);

	@Override
	public void run() {
		try {
			result = GenerationRunner.run(service, status, tasks, Arrays.asList(style, style2, style3), prompt, settings(GenerationRunner.seed(seed)),
				device, precision, this::isCanceled);
		}
		catch (GenerationRunner.UserError | IllegalArgumentException e) {
			if (log != null) log.error("StyleCrafter: " + e.getMessage());
			cancel(e.getMessage());
		}
	}
}
