package sc.fiji.stylecrafter.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

import ai.djl.pytorch.jni.JniUtils;

import sc.fiji.stylecrafter.engine.DeviceChoice;
import sc.fiji.stylecrafter.engine.EngineSettings;
import sc.fiji.stylecrafter.pipeline.SelfTest;

/**
 * {@code stylecrafter selftest [--models DIR] [--threads N] [--device auto|cpu|gpu] [--dtype all|float32|bfloat16|float16]}:
 * checks every faster kernel route at the layer shapes of the model on this machine and prints a table
 * ({@link SelfTest}). Exit 0 when every check could compare (every route that is used is then right), 1 otherwise, 2
 * for bad arguments.
 */
final class SelftestCommand {

	static final String USAGE = "usage: stylecrafter selftest [--models DIR] [--threads N] [--device auto|cpu|gpu] [--dtype all|float32|bfloat16|float16]";

	private SelftestCommand() {}

	static int run(String[] args, PrintStream out, PrintStream err) {
		Path models = null;
		int threads = 0;
		String device = DeviceChoice.AUTO_LABEL, dtype = "all";
		try {
			for (int i = 0; i < args.length; i++) {
				if (i + 1 >= args.length) throw new IllegalArgumentException(args[i] + (args[i].startsWith("--") ? " needs a value" : ": unexpected argument"));
				String v = args[++i];
				switch (args[i - 1]) {
					case "--models": models = Path.of(v); break;
					case "--threads":
						threads = GenerateCommand.wholeNumber("--threads", v);
						if (threads < 1) throw new IllegalArgumentException("--threads " + threads + " is out of range; allowed: 1 or more");
						break;
					case "--device": device = v; break;
					case "--dtype":
						if (!SelfTest.CHOICES.contains(v)) throw new IllegalArgumentException("--dtype '" + v + "' is not known; allowed: " + String.join(", ", SelfTest.CHOICES));
						dtype = v;
						break;
					default: throw new IllegalArgumentException("unknown option '" + args[i - 1] + "'");
				}
			}
		}
		catch (IllegalArgumentException e) {
			err.println("stylecrafter selftest: " + e.getMessage());
			err.println(USAGE);
			return 2;
		}
		EngineSettings.start();
		int defaultThreads = JniUtils.getNumThreads();
		try {
			if (threads > 0) JniUtils.setNumThreads(threads);
			long[] last = { 0 };
			SelfTest.Report r = SelfTest.run(models, DeviceChoice.parse(device), dtype, line -> { // at most one progress line a second
				long now = System.nanoTime();
				if (now - last[0] < 1_000_000_000L) return;
				last[0] = now;
				err.printf(Locale.ROOT, "\r%-120.120s", line);
				err.flush();
			});
			err.printf("\r%-120s\r", "");
			for (String line : r.lines()) out.println(line);
			return r.ok() ? 0 : 1;
		}
		catch (IOException | RuntimeException e) {
			err.println("stylecrafter selftest: " + InspectCommand.oneLine(e.getMessage()));
			return 1;
		}
		finally {
			JniUtils.setNumThreads(defaultThreads); // the caller's count again (a test, or Fiji, runs on in this process)
		}
	}
}
