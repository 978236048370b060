package sc.fiji.stylecrafter.plugin;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.ColorProcessor;

import sc.fiji.stylecrafter.pipeline.GenerationResult;

/**
 * A generation as an ImageJ RGB image: one frame per time point, titled from the prompt, with a frame interval, and
 * the generation's record in its "Info" property (the JSON of the command line's sidecar) and its prompt, seed and steps as
 * properties.
 */
public final class ResultImages {

	/** VideoCrafter's clips are saved at 8 frames per second. */
	public static final double FRAME_INTERVAL_S = 1.0 / 8;

	private ResultImages() {}

	public static ImagePlus toImagePlus(GenerationResult r) {
		ImageStack stack = new ImageStack(r.width(), r.height());
		for (int f = 0; f < r.frameCount(); f++) {
			stack.addSlice(r.frameCount() > 1 ? "frame " + (f + 1) : null, new ColorProcessor(r.width(), r.height(), r.argb(f))); // an image has no frames
		}
		ImagePlus imp = new ImagePlus(title(r.prompt()), stack);
		if (r.frameCount() > 1) {
			imp.setDimensions(1, 1, r.frameCount());
			imp.setOpenAsHyperStack(true);
			Calibration cal = imp.getCalibration();
			cal.frameInterval = FRAME_INTERVAL_S;
			cal.setTimeUnit("s");
		}
		imp.setProperty("Info", r.record().toJson());
		imp.setProp("stylecrafter.prompt", r.prompt());
		imp.setProp("stylecrafter.seed", Long.toString(r.settings().seed()));
		imp.setProp("stylecrafter.steps", Integer.toString(r.settings().steps()));
		return imp;
	}

	/** A window title from the prompt: printable, at most 60 characters. */
	public static String title(String prompt) {
		String t = prompt.replaceAll("[\\p{Cntrl}]", " ").replaceAll("\\s+", " ").trim();
		if (t.length() > 60) t = t.substring(0, 57) + "...";
		return "StyleCrafter - " + t;
	}
}
