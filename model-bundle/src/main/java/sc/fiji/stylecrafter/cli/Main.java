package sc.fiji.stylecrafter.cli;

import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import sc.fiji.stylecrafter.cli.bench.BenchEncodersCommand;
import sc.fiji.stylecrafter.cli.bench.BenchGenerateCommand;
import sc.fiji.stylecrafter.cli.bench.BenchLoadCommand;
import sc.fiji.stylecrafter.cli.bench.BenchUNetCommand;
import sc.fiji.stylecrafter.cli.bench.BenchVaeCommand;
import sc.fiji.stylecrafter.engine.EngineSettings;
import sc.fiji.stylecrafter.cli.base.GenerationOptions;

/**
 * The {@code stylecrafter} command line: one class per subcommand, the generation options shared as a mixin
 * ({@link GenerationOptions}), picocli for parsing and help ({@code stylecrafter COMMAND --help}). Exit codes: 0
 * success, 1 the work failed (a one-line reason on standard error), 2 bad arguments (the reason and the usage).
 */
@Command(name = "stylecrafter", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
	description = "StyleCrafter for Fiji: videos and images from a prompt in the style of reference images.",
	subcommands = { GenerateCommand.class, BatchCommand.class, ScoreCommand.class, ModelsCommand.class, RuntimeCommand.class, SelftestCommand.class,
		InspectCommand.class, BenchLoadCommand.class, BenchEncodersCommand.class, BenchUNetCommand.class, BenchGenerateCommand.class, BenchVaeCommand.class })
public final class Main implements Callable<Integer> {

	@Spec
	CommandSpec spec;

	public static void main(String[] args) {
		EngineSettings.prepare(); // offline and quiet unless the user says otherwise; weight-loading facts: STYLECRAFTER_LOG=INFO
		System.exit(run(args, System.out, System.err));
	}

	/** Runs a subcommand and returns its exit code; never calls {@code System.exit}. */
	public static int run(String[] args, PrintStream out, PrintStream err) {
		return commandLine(new Main(), out, err).execute(args);
	}

	/** A command line over {@code command} writing to the given streams, bad arguments answered as {@link #badArguments}. */
	static CommandLine commandLine(Object command, PrintStream out, PrintStream err) {
		CommandLine cl = new CommandLine(command);
		cl.setOut(new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true));
		cl.setErr(new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true));
		cl.setParameterExceptionHandler(Main::badArguments);
		return cl;
	}

	/** No subcommand: the usage, exit 2. */
	@Override
	public Integer call() {
		spec.commandLine().usage(spec.commandLine().getErr());
		return 2; // as CliCommand.usage(); Main is no subcommand
	}

	/** {@code stylecrafter generate: --prompt is required}, then the command's usage line; exit 2. */
	private static int badArguments(ParameterException e, String[] args) {
		CommandLine c = e.getCommandLine();
		PrintWriter err = c.getErr();
		err.println(c.getCommandSpec().qualifiedName() + ": " + e.getMessage());
		err.print(c.getHelp().fullSynopsis());
		err.println("(" + c.getCommandSpec().qualifiedName() + " --help says more)");
		err.flush();
		return 2;
	}

	/** The version of the jar (its manifest), or "development". */
	static final class Version implements CommandLine.IVersionProvider {

		@Override
		public String[] getVersion() {
			String v = Main.class.getPackage().getImplementationVersion();
			return new String[] { "stylecrafter " + (v == null ? "(development build)" : v) };
		}
	}
}
