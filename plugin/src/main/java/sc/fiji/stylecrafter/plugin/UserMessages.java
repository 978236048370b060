package sc.fiji.stylecrafter.plugin;

import ij.IJ;
import ij.macro.Interpreter;

import java.awt.GraphicsEnvironment;

import org.scijava.log.LogService;

/**
 * How a failure reaches a Fiji user, as ImageJ's own commands do it. In a macro (headless too): one line in the Log
 * window (on standard output when headless) and the macro aborted, so an unattended batch stops instead of going on
 * with nothing made. From the menu: a message box. Always: the log service, for scripts and the Console.
 */
final class UserMessages {

	static final String TITLE = "StyleCrafter";

	private UserMessages() {}

	static void error(String message, LogService log) {
		if (log != null) log.error(TITLE + ": " + message);
		if (IJ.isMacro()) {
			IJ.log(TITLE + " error: " + message);
			Interpreter.abort(); // the macro stops when the command returns
		}
		else if (!GraphicsEnvironment.isHeadless()) {
			IJ.error(TITLE, message);
		}
	}

	/** Cancels a command with the message and reports it as {@link #error} does. */
	static void fail(org.scijava.Cancelable command, String message, LogService log) {
		command.cancel(message);
		error(message, log);
	}
}
