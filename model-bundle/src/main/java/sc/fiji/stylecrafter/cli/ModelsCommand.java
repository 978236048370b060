package sc.fiji.stylecrafter.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

import sc.fiji.stylecrafter.pipeline.StyleCrafterModel;

/**
 * {@code stylecrafter models status DIR}: runs the checks that loading runs (each file present, readable, intact as far
 * as its metadata goes, holding the weights its name promises, matching config.json), without loading any weights.
 * Exit code 0 when the folder is usable, 1 with one line per problem otherwise.
 */
final class ModelsCommand {

	static final String USAGE = "usage: stylecrafter models status DIR";

	private ModelsCommand() {}

	static int run(String[] args, PrintStream out, PrintStream err) {
		if (args.length != 2 || !args[0].equals("status")) {
			err.println(USAGE);
			return 2;
		}
		Path folder = Path.of(args[1]);
		List<String> problems = StyleCrafterModel.check(folder);
		if (problems.isEmpty()) {
			out.println("model folder " + folder + ": usable (" + String.join(", ", StyleCrafterModel.REQUIRED_FILES) + " found and checked)");
			return 0;
		}
		for (String p : problems) err.println("stylecrafter models: " + InspectCommand.oneLine(p));
		return 1;
	}
}
