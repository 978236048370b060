package sc.fiji.stylecrafter.plugin;

import ij.IJ;
import ij.macro.Interpreter;

import java.awt.GraphicsEnvironment;

import org.scijava.log.LogService;

/**
 * How a failure reaches a Fiji user: one notice, as ImageJ's own commands give it.
 * <ul>
 * <li>In a macro (headless too): one line in the Log window (standard output when headless), and the macro stops at its
 * next statement when the command returns, quietly: the interpreter is told to ignore errors and is aborted with the
 * message ({@link Interpreter#abort(String)}, which then only marks it done). {@link Interpreter#abort()} from the
 * command's own thread would wait two seconds for the macro, which waits for the command, then kill the macro's
 * thread, printing ThreadDeath and stack traces; {@code Macro.abort()} is ignored while a macro's {@code run} call
 * runs. Nothing modal, nothing on the Console.</li>
 * <li>From the menu: one message box, its text wrapped to a readable width.</li>
 * <li>Otherwise (a script through SciJava, headless): the command's cancel reason, which the caller reads.</li>
 * </ul>
 * The command is cancelled in every case; it carries the message as its cancel reason only in the last, because
 * SciJava shows a cancel reason as a second, modal box ("ImageJ2") where there is a user interface. The log service
 * gets the message at debug level (at error level, Fiji would open its Console as a third notice).
 */
final class UserMessages {

	static final String TITLE = "StyleCrafter";
	/** Characters per line in a message box (about 600 pixels in ImageJ's dialog font). */
	static final int LINE = 90;

	private UserMessages() {}

	/** Cancels a command with the message and gives the one notice described above. */
	static void fail(org.scijava.Cancelable command, String message, LogService log) {
		if (log != null) log.debug(TITLE + ": " + message);
		if (IJ.isMacro()) {
			command.cancel(null);
			IJ.log(TITLE + " error: " + message);
			Interpreter macro = Interpreter.getInstance();
			if (macro != null) {
				macro.setIgnoreErrors(true);
				macro.abort(TITLE + ": " + message);
			}
		}
		else if (!GraphicsEnvironment.isHeadless()) {
			command.cancel(null);
			IJ.error(TITLE, wrap(message, LINE));
		}
		else {
			command.cancel(message);
		}
	}

	/** {@code text} broken at spaces into lines of at most {@code width} characters (a longer word stays whole). */
	static String wrap(String text, int width) {
		StringBuilder out = new StringBuilder();
		for (String paragraph : text.split("\n", -1)) {
			if (out.length() > 0) out.append('\n');
			int column = 0;
			for (String word : paragraph.split(" ")) {
				if (column > 0 && column + 1 + word.length() > width) {
					out.append('\n');
					column = 0;
				}
				else if (column > 0) {
					out.append(' ');
					column++;
				}
				out.append(word);
				column += word.length();
			}
		}
		return out.toString();
	}
}
