package sc.fiji.stylecrafter.cli.base;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import ai.djl.Device;

import sc.fiji.stylecrafter.download.ModelFile;
import sc.fiji.stylecrafter.engine.Precision;
import sc.fiji.stylecrafter.engine.install.RuntimeInstaller;
import sc.fiji.stylecrafter.model.ModelFolderCheck;
import sc.fiji.stylecrafter.model.ModelLoader;
import sc.fiji.stylecrafter.model.StyleCrafterModel;
import sc.fiji.stylecrafter.nn.NativeMemory;
import sc.fiji.stylecrafter.setup.ModelSetup;
import sc.fiji.stylecrafter.task.Notices;
import sc.fiji.stylecrafter.task.ProgressClock;
import sc.fiji.stylecrafter.task.ProgressListener;
import sc.fiji.stylecrafter.task.Stage;

/** What the command line shows on a terminal: loading with the folder's problems, notices, progress bars. */
public final class Terminal {

	private Terminal() {}

	/**
	 * Loads the model. When that fails on the folder's files, every problem the folder check finds is printed with the
	 * command that sets the folder up, and {@code null} is returned (the check runs only then, so a usable folder's
	 * files are opened once).
	 *
	 * @param command the command's name for messages ({@code stylecrafter generate})
	 */
	public static StyleCrafterModel load(Path models, Device device, Precision precision, PrintWriter err, String command) throws IOException {
		try {
			return ModelLoader.load(models, device, precision, notices(err));
		}
		catch (IOException e) {
			List<String> problems = ModelFolderCheck.check(models);
			if (problems.isEmpty()) throw e;
			for (String p : problems) err.println(command + ": " + CliCommand.oneLine(p));
			err.println("set the model folder up with: stylecrafter models download" + (models.equals(ModelSetup.defaultFolder()) ? "" : " --dir " + models)
				+ " (or give another folder with --models)");
			return null;
		}
	}

	/** Advice on standard error; facts (unused weights) too when {@code STYLECRAFTER_LOG=INFO}. */
	public static Notices notices(PrintWriter err) {
		boolean info = "INFO".equalsIgnoreCase(System.getenv("STYLECRAFTER_LOG"));
		return (kind, message) -> {
			// from the start of the line, over a progress bar that may be on it (the bar is drawn again at its next update)
			if (kind == Notices.Kind.ADVICE || info) err.println(String.format(Locale.ROOT, "\r%-120s", "stylecrafter: " + message));
		};
	}

	/** A one-line progress bar with seconds per step (per frame while decoding) and the time left. */
	public static final class Progress implements ProgressListener {

		private final PrintWriter err;
		private final long start = System.nanoTime();
		public final ProgressClock clock = new ProgressClock();

		public Progress(PrintWriter err) {
			this.err = err;
		}

		@Override
		public void progress(int done, int total, Stage stage) {
			clock.update(done, total, stage);
			int width = 30, filled = total == 0 ? 0 : done * width / total;
			String eta = Double.isNaN(clock.secondsPerUnit()) ? ""
				: String.format(Locale.ROOT, "  %.2f s/%s, %.0f s left", clock.secondsPerUnit(), clock.unit(), clock.secondsLeft());
			err.printf(Locale.ROOT, "\r[%s%s] %d/%d %s%s (%.0f s, %d MB resident)   ", "#".repeat(filled), " ".repeat(width - filled), done, total, stage,
				eta, (System.nanoTime() - start) / 1e9, NativeMemory.residentMb());
			err.flush();
		}
	}

	/** Download and install progress on standard error, at most once a second (models download, runtime install). */
	public static RuntimeInstaller.Listener downloadProgress(PrintWriter err) {
		long[] last = { 0 };
		return new RuntimeInstaller.Listener() {

			@Override
			public void progress(ModelFile file, long done, long total, double bytesPerSecond, double secondsLeft) {
				if (!due(done, total)) return;
				err.printf(Locale.ROOT, "%s: %.1f of %.1f MB%s%s%n", file.name(), done / 1e6, total / 1e6,
					Double.isNaN(bytesPerSecond) ? "" : String.format(Locale.ROOT, ", %.1f MB/s", bytesPerSecond / 1e6),
					Double.isNaN(secondsLeft) ? "" : String.format(Locale.ROOT, ", %.0f s left", secondsLeft));
			}

			@Override
			public void message(String text) {
				err.println(text);
			}

			@Override
			public void step(String what, long done, long total) {
				if (due(done, total)) err.printf(Locale.ROOT, "%s: %.0f%%%n", what, 100.0 * done / Math.max(1, total));
			}

			private boolean due(long done, long total) {
				long now = System.nanoTime();
				if (now - last[0] < 1_000_000_000L && done != total) return false;
				last[0] = now;
				return true;
			}
		};
	}
}
