package sc.fiji.stylecrafter.plugin;

import ij.IJ;
import ij.Macro;
import ij.Menus;
import ij.plugin.PlugIn;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.scijava.Context;
import org.scijava.Priority;
import org.scijava.command.Command;
import org.scijava.command.CommandService;
import org.scijava.convert.ConvertService;
import org.scijava.module.Module;
import org.scijava.module.ModuleItem;
import org.scijava.module.ModuleService;
import org.scijava.module.process.AbstractPreprocessorPlugin;
import org.scijava.module.process.PreprocessorPlugin;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.widget.InputHarvester;

/**
 * A stand-in, for tests, for what ImageJ's legacy bridge does when an ImageJ 1 macro calls a SciJava command (the
 * bridge itself is not on Maven Central). Written from its documented behaviour: the command is an ImageJ 1 menu
 * command; running it hands the command to the ModuleService with preprocessing and waits; a preprocessor at twice
 * VERY_HIGH fills every input the macro options name (converted by the ConvertService) and marks it resolved, leaving
 * the rest unresolved; the input harvester (at InputHarvester.PRIORITY) would then open a dialog for what is still
 * unresolved. Here the harvester is a detector that records such a dialog and stops the run instead of blocking.
 * Batch mode stands for a headless Fiji, which forces it.
 */
public final class LegacyBridge implements PlugIn {

	static volatile Context context;
	/** The options of the macro call being run (the bridge reads them through the calling thread). */
	static volatile String options;
	/** Inputs a dialog would have asked for, per run. */
	static final List<List<String>> dialogs = Collections.synchronizedList(new ArrayList<>());
	/** When set, runs stop right after preprocessing, and their resolved inputs are kept here. */
	static volatile Map<String, Object> dryRun;

	/** Makes our commands ImageJ 1 menu commands, as the bridge does at startup. */
	static void install(Context c, Map<String, Class<? extends Command>> commands) throws ReflectiveOperationException {
		context = c;
		if (Menus.getCommands() == null) { // headless, ImageJ 1 builds no menus: give it the command table the bridge fills
			Field table = Menus.class.getDeclaredField("pluginsTable");
			table.setAccessible(true);
			table.set(null, new Hashtable<String, String>());
		}
		for (Map.Entry<String, Class<? extends Command>> e : commands.entrySet()) {
			Menus.getCommands().put(e.getKey(), LegacyBridge.class.getName() + "(\"" + e.getValue().getName() + "\")");
		}
	}

	@Override
	public void run(String commandClass) {
		options = Macro.getOptions();
		try {
			ModuleService modules = context.service(ModuleService.class);
			modules.run(context.service(CommandService.class).getCommand(commandClass), true).get();
		}
		catch (Exception e) {
			throw new RuntimeException(e);
		}
		finally {
			options = null;
		}
	}

	/** The bridge's macro preprocessor, as described above. */
	@Plugin(type = PreprocessorPlugin.class, priority = 2 * Priority.VERY_HIGH)
	public static class MacroOptions extends AbstractPreprocessorPlugin {

		@Parameter
		private ConvertService convert;

		@Override
		public void process(Module module) {
			String o = options;
			if (o == null || !IJ.isMacro()) return;
			for (ModuleItem<?> input : module.getInfo().inputs()) {
				String value = Macro.getValue(o, input.getName(), null);
				if (value == null || !convert.supports(value, input.getType())) continue;
				module.setInput(input.getName(), convert.convert(value, input.getType()));
				module.resolveInput(input.getName());
			}
		}
	}

	/** Where the dialog would open. */
	@Plugin(type = PreprocessorPlugin.class, priority = InputHarvester.PRIORITY)
	public static class DialogDetector extends AbstractPreprocessorPlugin {

		@Override
		public void process(Module module) {
			if (options == null) return;
			List<String> unresolved = new ArrayList<>();
			for (ModuleItem<?> input : module.getInfo().inputs()) if (!module.isInputResolved(input.getName())) unresolved.add(input.getName());
			if (!unresolved.isEmpty()) {
				dialogs.add(unresolved);
				cancel("a dialog would open for " + unresolved);
			}
			else if (dryRun != null) {
				Map<String, Object> values = new LinkedHashMap<>();
				for (ModuleItem<?> input : module.getInfo().inputs()) {
					values.put(input.getName(), module.getInput(input.getName()));
					if (input.getChoices() != null) values.put(input.getName() + ".choices", List.copyOf(input.getChoices()));
				}
				dryRun.putAll(values);
				cancel("dry run");
			}
		}
	}
}
