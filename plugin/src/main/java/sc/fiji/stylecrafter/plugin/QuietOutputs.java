package sc.fiji.stylecrafter.plugin;

import ij.IJ;

import org.scijava.Priority;
import org.scijava.module.Module;
import org.scijava.module.ModuleItem;
import org.scijava.module.process.AbstractPostprocessorPlugin;
import org.scijava.module.process.PostprocessorPlugin;
import org.scijava.plugin.Plugin;

/**
 * Our commands' text outputs (a report such as "wrote 16 frames to ...") open no window: SciJava would show each in a
 * text window of its own, and a macro in a loop would pile them up. A text output is written to the Log while a macro
 * runs (so a macro's log says what happened) and otherwise left to the status bar and the log service, where the
 * command already put it; scripts still read it as the command's output. Runtime Status... is the exception from the
 * menu: its text is what the user asked to read. Runs before SciJava's display postprocessor, which skips outputs
 * already resolved.
 */
@Plugin(type = PostprocessorPlugin.class, priority = Priority.HIGH)
public class QuietOutputs extends AbstractPostprocessorPlugin {

	@Override
	public void process(Module module) {
		if (!(module.getDelegateObject() instanceof MacroFriendly)) return;
		boolean macro = IJ.isMacro();
		if (!macro && module.getDelegateObject() instanceof RuntimeStatusCommand) return;
		for (ModuleItem<?> output : module.getInfo().outputs()) {
			if (output.getType() != String.class || module.isOutputResolved(output.getName())) continue;
			Object text = output.getValue(module);
			if (text != null && macro) IJ.log(UserMessages.TITLE + ": " + text);
			module.resolveOutput(output.getName());
		}
	}
}
