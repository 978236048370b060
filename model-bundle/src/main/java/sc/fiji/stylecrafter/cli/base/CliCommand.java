package sc.fiji.stylecrafter.cli.base;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import sc.fiji.stylecrafter.task.Messages;

/**
 * A subcommand: its streams, its name for messages ({@code stylecrafter generate}), and the way it refuses a bad
 * argument ({@link #bad}: exit 2, the message and the usage, as picocli's own parse errors). Exit codes: 0 done, 1 the
 * work failed (one line on standard error), 2 bad arguments.
 */
public abstract class CliCommand implements Callable<Integer> {

	@Spec
	protected CommandSpec spec;

	protected PrintWriter out() {
		return spec.commandLine().getOut();
	}

	protected PrintWriter err() {
		return spec.commandLine().getErr();
	}

	/** {@code stylecrafter generate}, ... */
	protected String name() {
		return spec.qualifiedName();
	}

	/** A bad argument, to throw: reported with the usage, exit 2 ({@link Main}). */
	protected ParameterException bad(String message) {
		return new ParameterException(spec.commandLine(), message);
	}

	/** A failure, in one line on standard error; returns the exit code 1. */
	protected int failed(String message) {
		err().println(name() + ": " + oneLine(message));
		return 1;
	}

	/** A failure of files, the network or the work, said as a sentence ({@link Messages#of}); exit code 1. */
	protected int failed(Exception e) {
		return failed(Messages.of(e));
	}

	/** The command's usage on standard error; the exit code 2 (a command that needs a subcommand, given none). */
	protected int usage() {
		spec.commandLine().usage(err());
		return 2;
	}

	/** Work that may fail on files or be interrupted. */
	@FunctionalInterface
	protected interface Work {
		int run() throws IOException, InterruptedException;
	}

	/** Runs {@code work}; a failure of files, the network or a cancel is one line, exit 1. */
	protected int guarded(Work work) {
		try {
			return work.run();
		}
		catch (IOException | RuntimeException e) {
			return failed(e);
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			return failed("interrupted");
		}
	}

	public static String oneLine(String s) {
		return s == null ? "unknown error" : s.replace('\n', ' ');
	}
}
