package sc.fiji.stylecrafter.plugin;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ImageProcessor;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.scijava.ItemIO;
import org.scijava.app.StatusService;
import org.scijava.command.Command;
import org.scijava.command.DynamicCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Menu;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.widget.FileWidget;

import sc.fiji.stylecrafter.video.VideoWriter;
import sc.fiji.stylecrafter.task.Messages;

/**
 * Plugins > StyleCrafter > Export Video (StyleCrafter)...: saves an open stack (a result, edited or not, or any image) as an MP4,
 * WebM or GIF, one stack plane a frame, each shown as on screen (converted to RGB with its display range and lookup
 * table). Macro: {@code run("Export Video (StyleCrafter)...", "image=[title] file=[/path/clip.mp4] fps=8 quality=75");}.
 */
@Plugin(type = Command.class, menu = { @Menu(label = "Plugins"), @Menu(label = Menus.STYLECRAFTER), @Menu(label = "Export Video (StyleCrafter)...", weight = 11) }, headless = true)
public class ExportVideoCommand extends DynamicCommand implements MacroFriendly {

	@Parameter(required = false)
	private StatusService status;

	@Parameter(required = false)
	private LogService log;

	/**
	 * The title of the image to export; empty for the current image. A title, not an image object: SciJava fills an
	 * image input that a macro leaves out with the image it displayed last, not the macro's current image.
	 */
	@Parameter(label = "Image", initializer = "initImage", required = false, persist = false)
	private String image;

	@Parameter(label = "Video file", style = FileWidget.SAVE_STYLE, persist = false, description = "Ends in .mp4 (H.264), .webm (VP9) or .gif")
	private File file;

	@Parameter(label = "Frame rate", min = "1", max = "" + VideoWriter.MAX_FPS, persist = false)
	private int fps = VideoWriter.DEFAULT_FPS;

	@Parameter(label = "Quality (1-100)", min = "1", max = "100", persist = false)
	private int quality = VideoWriter.DEFAULT_QUALITY;

	@Parameter(type = ItemIO.OUTPUT, label = "Exported video")
	private String report;

	/** The dialog offers the open images, the current one first chosen. */
	protected void initImage() {
		java.util.List<String> titles = StyleReferences.openTitles();
		if (!titles.isEmpty()) StyleReferences.choices(this, "image", titles);
		if (image == null || image.isBlank()) image = StyleReferences.currentTitle();
	}

	@Override
	public void run() {
		try {
			ImagePlus image = this.image == null || this.image.isBlank() ? StyleReferences.current() // as ImageJ's own commands do
				: StyleReferences.byTitle(this.image, "the image to export (image)");
			if (image == null) throw new IllegalArgumentException("no image to export (open one, or give image=[title])");
			if (file == null || file.getPath().isBlank()) throw new IllegalArgumentException("no video file given (file=...)");
			ImageStack stack = image.getStack();
			int w = image.getWidth(), h = image.getHeight();
			List<int[]> frames = new ArrayList<>();
			for (int i = 1; i <= stack.getSize(); i++) {
				ImageProcessor ip = stack.getProcessor(i);
				if (image.getType() != ImagePlus.COLOR_RGB) {
					ip.setLut(image.getProcessor().getLut()); // as shown: the image's display range and colours
					ip.setMinAndMax(image.getDisplayRangeMin(), image.getDisplayRangeMax());
				}
				frames.add((int[]) ip.convertToRGB().getPixels());
			}
			String title = String.valueOf(image.getTitle());
			String info = image.getProp("stylecrafter.seed");
			VideoWriter.Written out = VideoWriter.write(file.toPath(), frames, w, h, new VideoWriter.Options(fps, quality,
				info == null ? Map.of("title", title) : Map.of("title", title, "comment", "StyleCrafter for Fiji, seed " + info)));
			report = "wrote " + out.frames() + " frames of " + out.width() + "x" + out.height() + " to " + file
				+ (out.padded() ? " (padded by one row or column to an even size, as the codec needs)" : "");
			if (status != null) status.showStatus("StyleCrafter: " + report);
			if (log != null) log.info("StyleCrafter: " + report);
		}
		catch (IllegalArgumentException | IOException e) {
			String message = "Export Video: " + Messages.of(e);
			UserMessages.fail(this, message, log);
		}
	}
}
