package sc.fiji.stylecrafter.cli.bench;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

import picocli.CommandLine.Parameters;

import sc.fiji.stylecrafter.cli.base.CliCommand;
import sc.fiji.stylecrafter.engine.EngineSettings;

/** A benchmark that takes positional arguments (see its description), with the engine started as for a generation. */
abstract class PositionalBenchmark extends CliCommand {

	@Parameters(paramLabel = "ARG", description = "See the description.")
	List<String> args = new ArrayList<>();

	@Override
	public Integer call() {
		EngineSettings.start(); // libtorch quiet, as for a generation
		return run(arguments().toArray(String[]::new), out(), err());
	}

	/** The arguments {@link #run} parses (the positional ones; a subclass may add its options' words). */
	List<String> arguments() {
		return new ArrayList<>(args);
	}

	abstract int run(String[] args, PrintWriter out, PrintWriter err);
}
