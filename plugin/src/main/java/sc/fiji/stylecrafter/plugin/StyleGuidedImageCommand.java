package sc.fiji.stylecrafter.plugin;

import org.scijava.command.Command;
import org.scijava.plugin.Menu;
import org.scijava.plugin.Plugin;

import sc.fiji.stylecrafter.pipeline.GenerationSettings;
import sc.fiji.stylecrafter.unet.Mode;

/** Plugins > StyleCrafter > Style-Guided Image: one image of the prompt in the style of the reference(s). */
@Plugin(type = Command.class, menu = { @Menu(label = "Plugins"), @Menu(label = Menus.STYLECRAFTER), @Menu(label = "Style-Guided Image", weight = 2) }, headless = true)
public class StyleGuidedImageCommand extends AbstractGenerateCommand {

	public StyleGuidedImageCommand() {
		super(GenerationSettings.image());
	}

	@Override
	protected GenerationSettings settings(long seed) {
		// the official image sampler has no separate style guidance (two branches)
		return GenerationSettings.builder(Mode.IMAGE).width(width).height(height).steps(steps).textGuidance((float) guidance).styleWeight((float) styleweight)
			.seed(seed).build();
	}
}
