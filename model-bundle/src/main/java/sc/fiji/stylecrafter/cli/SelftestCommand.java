package sc.fiji.stylecrafter.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

import ai.djl.pytorch.jni.JniUtils;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import sc.fiji.stylecrafter.engine.DeviceChoice;
import sc.fiji.stylecrafter.engine.EngineSettings;
import sc.fiji.stylecrafter.pipeline.SelfTest;
import sc.fiji.stylecrafter.cli.base.CliCommand;
import sc.fiji.stylecrafter.cli.base.GenerationOptions;

/**
 * {@code stylecrafter selftest [--models DIR] [--threads N] [--device auto|cpu|gpu] [--dtype all|float32|bfloat16|float16]}:
 * checks every faster kernel route at the layer shapes of the model on this machine and prints a table
 * ({@link SelfTest}). Exit 0 when every check could compare (every route that is used is then right), 1 otherwise, 2
 * for bad arguments.
 */
@Command(name = "selftest", mixinStandardHelpOptions = true,
	description = "Which faster kernel routes this machine computes right at the model's layer shapes (a table).")
final class SelftestCommand extends CliCommand {

	@Option(names = "--models", paramLabel = "DIR", description = "Check at this model's sizes (loads it); default: the official sizes, no weights needed.")
	Path models;

	@Option(names = "--threads", paramLabel = "N", description = "libtorch's thread count for the checks (default: libtorch's).")
	String threads;

	@Option(names = "--device", paramLabel = "auto|cpu|gpu|gpu:N", description = "The device to check (default auto).")
	String device = DeviceChoice.AUTO_LABEL;

	@Option(names = "--dtype", paramLabel = "all|float32|bfloat16|float16", description = "The precisions to check (default all the device has routes in).")
	String dtype = "all";

	@Override
	public Integer call() {
		int n = 0;
		DeviceChoice choice;
		try {
			if (threads != null) {
				n = GenerationOptions.wholeNumber("--threads", threads);
				if (n < 1) throw new IllegalArgumentException("--threads " + n + " is out of range; allowed: 1 or more");
			}
			if (!SelfTest.CHOICES.contains(dtype)) throw new IllegalArgumentException("--dtype '" + dtype + "' is not known; allowed: " + String.join(", ", SelfTest.CHOICES));
			choice = DeviceChoice.parse(device);
		}
		catch (IllegalArgumentException e) {
			throw bad(e.getMessage());
		}
		EngineSettings.start();
		int defaultThreads = JniUtils.getNumThreads();
		try {
			if (n > 0) JniUtils.setNumThreads(n);
			long[] last = { 0 };
			SelfTest.Report r = SelfTest.run(models, choice, dtype, line -> { // at most one progress line a second
				long now = System.nanoTime();
				if (now - last[0] < 1_000_000_000L) return;
				last[0] = now;
				err().printf(Locale.ROOT, "\r%-120.120s", line);
				err().flush();
			});
			err().printf("\r%-120s\r", "");
			for (String line : r.lines()) out().println(line);
			return r.ok() ? 0 : 1;
		}
		catch (IOException | RuntimeException e) {
			return failed(e);
		}
		finally {
			JniUtils.setNumThreads(defaultThreads); // the caller's count again (a test, or Fiji, runs on in this process)
		}
	}
}
