package sc.fiji.stylecrafter.cli.bench;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import sc.fiji.stylecrafter.nn.OpProfile;
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

	/**
	 * Runs {@code call} once, profiled ({@link OpProfile}) when {@code profile}, and its report (or {@code null}).
	 * {@link #print} prints the report after the run's own line.
	 */
	static <T> OpProfile.Profiled<T> run(Supplier<T> call, boolean profile) {
		return profile ? OpProfile.run(call) : new OpProfile.Profiled<>(call.get(), null);
	}

	/** Prints a run's profile, if it has one (the twenty costliest operators), and flushes: print does not flush a PrintWriter. */
	static void print(OpProfile.Profiled<?> p, PrintWriter out) {
		if (p.report() == null) return;
		out.print(p.report().format(20));
		out.flush();
	}
}
