package sc.fiji.stylecrafter.cli;

import java.io.PrintStream;
import java.util.Arrays;

import sc.fiji.stylecrafter.engine.EngineSettings;

/**
 * The {@code stylecrafter} command line. Subcommands: {@code generate}, {@code inspect}, {@code models status}, {@code runtime status|install|remove}, {@code selftest}, and benchmarks ({@code bench-*}). Exit codes: 0 success, 1 the work failed
 * (one-line reason on standard error), 2 bad arguments.
 */
public final class Main {

	private Main() {}

	public static void main(String[] args) {
		EngineSettings.prepare(); // offline and quiet unless the user says otherwise; weight-loading facts: STYLECRAFTER_LOG=INFO
		System.exit(run(args, System.out, System.err));
	}

	/** Runs a subcommand and returns its exit code; never calls {@code System.exit}. */
	public static int run(String[] args, PrintStream out, PrintStream err) {
		if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
			err.println(GenerateCommand.USAGE);
			err.println("       " + BatchCommand.USAGE.substring("usage: ".length()));
			err.println("       " + ScoreCommand.USAGE.substring("usage: ".length()));
			err.println("       stylecrafter inspect [--prefix P] FILE");
			err.println("       stylecrafter models status|verify|download [--dir DIR] [--accept-licences]");
			err.println("       " + RuntimeCommand.USAGE.substring("usage: ".length()));
			err.println("       " + SelftestCommand.USAGE.substring("usage: ".length()));
			err.println("       stylecrafter bench-load FILE | bench-encoders DIR VOCAB | bench-unet DIR [video|image] ... | bench-generate ...");
			return args.length == 0 ? 2 : 0;
		}
		String[] rest = Arrays.copyOfRange(args, 1, args.length);
		if (args[0].startsWith("bench-")) EngineSettings.start(); // the benchmarks build networks themselves: libtorch quiet as for a generation
		switch (args[0]) {
			case "inspect": return InspectCommand.run(rest, out, err);
			case "generate": return GenerateCommand.run(rest, out, err);
			case "batch": return BatchCommand.run(rest, out, err);
			case "score": return ScoreCommand.run(rest, out, err);
			case "models": return ModelsCommand.run(rest, out, err);
			case "runtime": return RuntimeCommand.run(rest, out, err);
			case "selftest": return SelftestCommand.run(rest, out, err);
			case "bench-load": return BenchLoadCommand.run(rest, out, err);
			case "bench-encoders": return BenchEncodersCommand.run(rest, out, err);
			case "bench-unet": return BenchUNetCommand.run(rest, out, err);
			case "bench-generate": return BenchGenerateCommand.run(rest, out, err);
			default:
				err.println("stylecrafter: unknown command '" + args[0] + "'; allowed: generate, batch, score, inspect, models, runtime, selftest, bench-load, bench-encoders, bench-unet, bench-generate");
				return 2;
		}
	}
}
