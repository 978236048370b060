package sc.fiji.stylecrafter.plugin;

import java.util.Locale;

import org.scijava.app.StatusService;
import org.scijava.log.LogService;
import org.scijava.task.Task;
import org.scijava.task.TaskService;

import sc.fiji.stylecrafter.batch.BatchList;
import sc.fiji.stylecrafter.batch.BatchRunner;
import sc.fiji.stylecrafter.download.ModelFile;
import sc.fiji.stylecrafter.engine.install.RuntimeInstaller;
import sc.fiji.stylecrafter.task.ProgressClock;
import sc.fiji.stylecrafter.task.Stage;

/**
 * The one progress adapter of the Fiji commands (labkit's {@code StatusServiceProgressWriter}, for our listeners):
 * generation steps and frames, batch entries, downloads and the GPU runtime's install go to the status bar and to a
 * cancellable task (in thousandths, at most four updates a second, with the time left where it can be known); what
 * the user may want to read later goes to the log. Closing it finishes the task and empties the status bar's
 * progress.
 */
final class FijiProgress implements RuntimeInstaller.Listener, BatchRunner.Listener, AutoCloseable {

	/** The task's scale: progress in thousandths. */
	private static final int STEPS = 1000;

	private final String prefix;
	private final StatusService status;
	private final Task task;
	private final LogService log;
	private final ProgressClock clock = new ProgressClock();
	/** Entries of a batch (1 for one generation), and the one running. */
	private int entries = 1;
	private int current;
	/** Decoded frames of one generation, encoded source frames (0 from noise), and its sampling steps (as the sampler reports them): their shares of the bar. */
	private int frames;
	private int encoded;
	private int samplingSteps;
	/** The steps the user asked for, to say so when the official schedule runs another count; 0: do not say. */
	private int askedSteps;
	private long last;
	private boolean scheduleSaid;

	private FijiProgress(String prefix, StatusService status, Task task, LogService log) {
		this.prefix = prefix;
		this.status = status;
		this.task = task;
		this.log = log;
	}

	/**
	 * Starts a cancellable task named {@code title} (where Fiji has a task service) and reports to it.
	 *
	 * @param prefix what every status message starts with ({@code StyleCrafter}, {@code StyleCrafter batch})
	 */
	static FijiProgress start(String prefix, String title, TaskService tasks, StatusService status, LogService log) {
		Task task = tasks == null ? null : tasks.createTask(title);
		if (task != null) {
			task.setProgressMaximum(STEPS);
			task.start();
		}
		return new FijiProgress(prefix, status, task, log);
	}

	/**
	 * For generations of {@code steps} sampling steps and {@code frames} decoded frames each ({@code steps} as asked:
	 * where the official schedule runs another count, the message says so).
	 */
	FijiProgress generations(int steps, int frames) {
		return generations(steps, frames, 0);
	}

	/** As {@link #generations(int, int)}, restyling a source of {@code encoded} frames first (each encoded frame a unit of the bar). */
	FijiProgress generations(int steps, int frames, int encoded) {
		this.askedSteps = steps;
		this.samplingSteps = steps;
		this.frames = frames;
		this.encoded = encoded;
		return this;
	}

	/** For a batch of {@code n} entries: each entry's generation fills its share of the bar. */
	FijiProgress batch(int n) {
		this.entries = Math.max(1, n);
		return this;
	}

	@Override
	public void close() {
		if (task != null) task.finish();
		if (status != null) status.showProgress(STEPS, STEPS); // a full bar is taken away
	}

	/** An outcome, a sentence of its own, in the status bar and the log. */
	void report(String text) {
		if (status != null) status.showStatus(text);
		if (log != null) log.info(text);
	}

	/** A message to the status bar only (waiting, loading). */
	void status(String text) {
		if (status != null) status.showStatus(prefix + ": " + text);
	}

	/** The task's cancel button or an interrupt. */
	boolean cancelled() {
		return (task != null && task.isCanceled()) || Thread.currentThread().isInterrupted();
	}

	// downloads and installs

	@Override
	public void progress(ModelFile file, long done, long total, double bytesPerSecond, double secondsLeft) {
		String msg = String.format(Locale.ROOT, "%s %.0f of %.0f MB", file.name(), done / 1e6, total / 1e6);
		if (!Double.isNaN(bytesPerSecond)) msg += String.format(Locale.ROOT, ", %.1f MB/s", bytesPerSecond / 1e6);
		if (!Double.isNaN(secondsLeft)) msg += ", about " + duration(secondsLeft) + " left";
		show(msg, (double) done / Math.max(1, total), done == total);
	}

	@Override
	public void step(String what, long done, long total) {
		show(String.format(Locale.ROOT, "%s, %.0f%%", what, 100.0 * done / Math.max(1, total)), (double) done / Math.max(1, total), done == total);
	}

	@Override
	public void message(String text) {
		if (log != null) log.info(prefix + ": " + text);
	}

	// generations and batches

	@Override
	public void entry(int k, int n, BatchList.Entry entry, String state) {
		current = k;
		if (state.equals("running")) return;
		if (log != null) log.info(prefix + ": entry " + (k + 1) + "/" + n + ": " + state);
		show("entry " + (k + 1) + "/" + n + ": " + state, (k + 1.0) / entries, true);
	}

	@Override
	public void progress(int done, int total, Stage stage) {
		clock.update(done, total, stage);
		String msg = stage.toString();
		if (!Double.isNaN(clock.secondsPerUnit())) {
			String what = switch (stage) {
				case SAMPLING -> "step";
				case SOURCE -> "encoding frame";
				default -> "decoding frame";
			};
			msg = String.format(Locale.ROOT, "%s %d/%d, %.1f s/%s, about %s left", what, done, total,
				clock.secondsPerUnit(), clock.unit(), duration(clock.secondsLeft()));
		}
		if (stage == Stage.SAMPLING && askedSteps > 0 && total != askedSteps && !scheduleSaid) {
			scheduleSaid = true; // once, in the log: the status bar has room for the step count only
			message("steps=" + askedSteps + " runs " + total + " steps in the official schedule");
		}
		if (entries > 1) msg = "entry " + (current + 1) + "/" + entries + ", " + msg;
		if (stage == Stage.SAMPLING) samplingSteps = total;
		double units = Math.max(1, encoded + samplingSteps + frames);
		double encodeShare = encoded / units, samplingShare = samplingSteps / units;
		double within = (double) done / Math.max(1, total);
		double fraction = switch (stage) {
			case ENCODING -> 0;
			case SOURCE -> encodeShare * within;
			case SAMPLING -> encodeShare + samplingShare * within;
			case DECODING -> encodeShare + samplingShare + (1 - encodeShare - samplingShare) * within;
		};
		show(msg, (current + fraction) / entries, done == total);
	}

	private void show(String msg, double fraction, boolean always) {
		long now = System.nanoTime();
		if (now - last < 250_000_000L && !always) return;
		last = now;
		int permille = (int) Math.round(STEPS * Math.min(1, Math.max(0, fraction)));
		if (status != null) status.showStatus(permille, STEPS, prefix + ": " + msg);
		if (task != null) {
			task.setProgressValue(permille);
			task.setStatusMessage(prefix + ": " + msg);
		}
	}

	/** {@code 75 s} as {@code 1 min 15 s}. */
	static String duration(double seconds) {
		long s = Math.round(seconds);
		return s >= 60 ? (s / 60) + " min " + (s % 60) + " s" : s + " s";
	}
}
