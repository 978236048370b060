package sc.fiji.stylecrafter.plugin;

import java.util.Locale;

import org.scijava.app.StatusService;
import org.scijava.log.LogService;
import org.scijava.task.Task;
import org.scijava.task.TaskService;

import sc.fiji.stylecrafter.download.ModelFile;
import sc.fiji.stylecrafter.engine.install.RuntimeInstaller;

/**
 * Download and install progress in Fiji: the status bar and a cancellable task (bytes, speed, time left; at most four
 * updates a second, in thousandths), messages to the log. Used by Set Up Models and Install GPU Runtime; closing it
 * finishes the task.
 */
final class DownloadProgress implements RuntimeInstaller.Listener, AutoCloseable {

	/** The task's scale: progress in thousandths. */
	private static final int STEPS = 1000;

	private final StatusService status;
	private final Task task;
	private final LogService log;
	private long last;

	private DownloadProgress(StatusService status, Task task, LogService log) {
		this.status = status;
		this.task = task;
		this.log = log;
	}

	/** Starts a cancellable task named {@code title} (where Fiji has a task service) and reports to it. */
	static DownloadProgress start(String title, TaskService tasks, StatusService status, LogService log) {
		Task task = tasks == null ? null : tasks.createTask(title);
		if (task != null) {
			task.setProgressMaximum(STEPS);
			task.start();
		}
		return new DownloadProgress(status, task, log);
	}

	@Override
	public void close() {
		if (task != null) task.finish();
	}

	/** The outcome, in the status bar and the log. */
	static void report(String text, StatusService status, LogService log) {
		if (status != null) status.showStatus(text);
		if (log != null) log.info(text);
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
		int permille = (int) (STEPS * done / Math.max(1, total));
		if (status != null) status.showStatus(permille, STEPS, msg);
		if (task != null) {
			task.setProgressValue(permille);
			task.setStatusMessage(msg);
		}
	}
}
