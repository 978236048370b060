package sc.fiji.stylecrafter.plugin;

import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import sc.fiji.stylecrafter.pipeline.GenerationSettings;
import sc.fiji.stylecrafter.pipeline.Mode;

/** Plugins > StyleCrafter > Stylize Video from Reference: a clip of the prompt in the style of the reference(s). */
@Plugin(type = Command.class, menuPath = "Plugins>StyleCrafter>Stylize Video from Reference", headless = true)
public class StylizeVideoCommand extends AbstractGenerateCommand {

	@Parameter(label = "Frames", min = "1", max = "" + GenerationSettings.MAX_FRAMES, persist = false)
	private int frames = GenerationSettings.video().frames();

	@Parameter(label = "Style guidance", persist = false)
	private double styleguidance = GenerationSettings.video().styleGuidance();

	public StylizeVideoCommand() {
		super(GenerationSettings.video());
	}

	@Override
	protected GenerationSettings settings(long seed) {
		return new GenerationSettings(Mode.VIDEO, frames, width, height, steps, GenerationSettings.video().eta(), (float) guidance, (float) styleguidance, (float) styleweight, seed);
	}
}
