package sc.fiji.stylecrafter.plugin;

import ij.IJ;

import java.util.LinkedHashSet;
import java.util.Set;

import org.scijava.Priority;
import org.scijava.module.Module;
import org.scijava.module.ModuleItem;
import org.scijava.module.process.AbstractPreprocessorPlugin;
import org.scijava.module.process.PreprocessorPlugin;
import org.scijava.plugin.Plugin;
import org.scijava.widget.InputHarvester;

/**
 * Macros never open a dialog for our commands. ImageJ's legacy bridge fills the inputs a macro names (its
 * {@code MacroPreprocessor} runs first, at a very high priority) and leaves the rest unresolved, so the input harvester
 * would open a modal dialog for them and wait forever in an unattended run. This preprocessor runs after every filler
 * (the initializers included) and before the harvester, and, while an ImageJ macro runs, marks every input of a
 * {@link MacroFriendly} command resolved: what the macro left out keeps its documented default. A missing required
 * value (the prompt, say) is then reported by the command itself, with the macro aborted.
 */
@Plugin(type = PreprocessorPlugin.class, priority = MacroInputs.PRIORITY)
public class MacroInputs extends AbstractPreprocessorPlugin {

	/** Between the initializers ({@code Priority.HIGH}) and the harvester ({@link InputHarvester#PRIORITY}). */
	static final double PRIORITY = Priority.LOW;

	@Override
	public void process(Module module) {
		if (!(module.getDelegateObject() instanceof MacroFriendly) || !IJ.isMacro()) return;
		Set<String> leftOut = new LinkedHashSet<>();
		for (ModuleItem<?> input : module.getInfo().inputs()) {
			if (!module.isInputResolved(input.getName())) leftOut.add(input.getName());
		}
		((MacroFriendly) module.getDelegateObject()).macroDefaults(leftOut);
		for (String name : leftOut) module.resolveInput(name);
	}
}
