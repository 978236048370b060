package sc.fiji.stylecrafter.task;

import java.util.Map;

/**
 * Times the stages a {@link ProgressListener} is told about, for progress displays: seconds per step while
 * sampling, per frame while decoding, the time left, and how long each stage took. Not thread-safe; fed from the
 * listener.
 */
public final class ProgressClock {

	private final Map<Stage, Double> seconds = new java.util.EnumMap<>(Stage.class);
	private Stage stage;
	private long stageStart;
	private double perUnit = Double.NaN;
	private double left = Double.NaN;

	/** Records one progress event (call it first thing in {@link ProgressListener#progress}). */
	public void update(int done, int total, Stage stage) {
		long now = System.nanoTime();
		if (stage != this.stage) {
			this.stage = stage;
			stageStart = now;
		}
		double in = (now - stageStart) / 1e9;
		seconds.put(stage, in);
		boolean timed = unit() != null && done > 0;
		perUnit = timed ? in / done : Double.NaN;
		left = timed ? perUnit * (total - done) : Double.NaN;
	}

	/** What one unit of the current stage is ("step", "frame"), or {@code null} for a stage without units. */
	public String unit() {
		return stage == null ? null : stage.unit();
	}

	/** Seconds per unit of the current stage so far, or NaN before the first unit or in a stage without units. */
	public double secondsPerUnit() {
		return perUnit;
	}

	/** Estimated seconds until the current stage ends, or NaN where {@link #secondsPerUnit()} is. */
	public double secondsLeft() {
		return left;
	}

	/** Seconds spent in {@code stage} up to its last event (0 if it never ran). */
	public double secondsIn(Stage stage) {
		return seconds.getOrDefault(stage, 0.0);
	}
}
