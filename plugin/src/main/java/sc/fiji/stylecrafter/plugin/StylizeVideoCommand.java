package sc.fiji.stylecrafter.plugin;

import java.io.File;
import java.nio.file.Path;

import org.scijava.command.Command;
import org.scijava.plugin.Menu;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.widget.FileWidget;

import sc.fiji.stylecrafter.pipeline.GenerationSettings;
import sc.fiji.stylecrafter.unet.Mode;
import sc.fiji.stylecrafter.video.VideoWriter;

/** Plugins > StyleCrafter > Stylize Video from Reference: a clip of the prompt in the style of the reference(s). */
@Plugin(type = Command.class, menu = { @Menu(label = "Plugins"), @Menu(label = Menus.STYLECRAFTER), @Menu(label = "Stylize Video from Reference", weight = 1) }, headless = true)
public class StylizeVideoCommand extends AbstractGenerateCommand {

	@Parameter(label = "Frames", min = "1", max = "" + GenerationSettings.MAX_FRAMES, persist = false)
	private int frames = GenerationSettings.video().frames();

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
			.styleGuidance((float) styleguidance).styleWeight((float) styleweight).seed(seed).build();
	}
}
