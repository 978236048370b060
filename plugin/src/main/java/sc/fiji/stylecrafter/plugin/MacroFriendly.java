package sc.fiji.stylecrafter.plugin;

import java.util.Set;

/**
 * A command that an ImageJ macro may run with only some of its keys: {@link MacroInputs} gives every input the macro
 * leaves out its default instead of letting a dialog open.
 */
public interface MacroFriendly {

	/**
	 * Called in a macro, before the run, with the inputs the macro left out; sets those whose macro default differs
	 * from the dialog's (e.g. live preview, on in the dialog, off in macros).
	 */
	default void macroDefaults(Set<String> leftOut) {}
}
