package sc.fiji.stylecrafter.plugin;

import ij.ImagePlus;

import java.util.Arrays;

import net.imglib2.RandomAccessibleInterval;

import org.scijava.ItemIO;
import org.scijava.app.StatusService;
import org.scijava.command.Command;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.task.TaskService;

import sc.fiji.stylecrafter.pipeline.GenerationSettings;
import sc.fiji.stylecrafter.pipeline.Mode;

/** Plugins > StyleCrafter > Style-Guided Image: one image of the prompt in the style of the reference(s). */
@Plugin(type = Command.class, menuPath = "Plugins>StyleCrafter>Style-Guided Image", headless = true)
public class StyleGuidedImageCommand extends ContextCommand {

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
	private int steps = 50;

	@Parameter(label = "Width", min = "64", max = "2048", stepSize = "8", persist = false)
	private int width = 512;

	@Parameter(label = "Height", min = "64", max = "2048", stepSize = "8", persist = false)
	private int height = 512;

	@Parameter(label = "Text guidance", persist = false)
	private double guidance = 6.0;

	@Parameter(label = "Style weight", persist = false)
	private double styleweight = 1.0;

	@Parameter(label = "Device", choices = { "auto", "cpu", "gpu" }, persist = false)
	private String device = "auto";

	@Parameter(label = "Precision", choices = { "float32", "float16" }, persist = false)
	private String precision = "float32";

	@Parameter(type = ItemIO.OUTPUT)
	private ImagePlus result;

	@Override
	public void run() {
		try {
			// the official image sampler has no separate style guidance (two branches)
			GenerationSettings s = new GenerationSettings(Mode.IMAGE, 1, width, height, steps, 1.0, (float) guidance, null, (float) styleweight,
				GenerationRunner.seed(seed));
			result = GenerationRunner.run(service, status, tasks, Arrays.asList(style, style2, style3), prompt, s, device, precision, this::isCanceled);
		}
		catch (GenerationRunner.UserError | IllegalArgumentException e) {
			if (log != null) log.error("StyleCrafter: " + e.getMessage());
			cancel(e.getMessage());
		}
	}
}
