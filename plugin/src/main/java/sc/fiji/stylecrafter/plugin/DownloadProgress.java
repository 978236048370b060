package sc.fiji.stylecrafter.plugin;

import java.util.Locale;

import org.scijava.app.StatusService;
import org.scijava.log.LogService;
import org.scijava.task.Task;

import sc.fiji.stylecrafter.models.ModelFile;
import sc.fiji.stylecrafter.runtime.RuntimeInstaller;

/**
 * Download and install progress in Fiji: the status bar and a cancellable task (bytes, speed, time left; at most four
 * updates a second), messages to the log. Used by Set Up Models and Install GPU Runtime.
 */
final class DownloadProgress implements RuntimeInstaller.Listener {

	private final StatusService status;
	private final Task task;
	private final LogService log;
	private long last;

	DownloadProgress(StatusService status, Task task, LogService log) {
		this.status = status;
		this.task = task;
		this.log = log;
	}

	/** The task's cancel button or an interrupt. */
	boolean cancelled() {
		return (task != null && task.isCanceled()) || Thread.currentThread().isInterrupted();
	}

	@Override
	public void progress(ModelFile file, long done, long total, double bytesPerSecond, double secondsLeft) {
		String msg = String.format(Locale.ROOT, "StyleCrafter: %s %.0f of %.0f MB", file.name(), done / 1e6, total / 1e6);
		if (!Double.isNaN(bytesPerSecond)) msg += String.format(Locale.ROOT, ", %.1f MB/s", bytesPerSecond / 1e6);
		if (!Double.isNaN(secondsLeft)) msg += ", about " + GenerationRunner.duration(secondsLeft) + " left";
		show(msg, done, total);
	}

	@Override
	public void step(String what, long done, long total) {
		show(String.format(Locale.ROOT, "StyleCrafter: %s, %.0f%%", what, 100.0 * done / Math.max(1, total)), done, total);
	}

	@Override
	public void message(String text) {
		if (log != null) log.info("StyleCrafter: " + text);
	}

	private void show(String msg, long done, long total) {
		long now = System.nanoTime();
		if (now - last < 250_000_000L && done != total) return;
		last = now;
		int permille = (int) (1000 * done / Math.max(1, total));
		if (status != null) status.showStatus(permille, 1000, msg);
		if (task != null) {
			task.setProgressValue(permille);
			task.setStatusMessage(msg);
		}
	}
}
