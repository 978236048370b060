package sc.fiji.stylecrafter.task;

/** Told after each sampling step and each decoded frame; must return quickly. */
@FunctionalInterface
public interface ProgressListener {

	ProgressListener NONE = (step, total, stage) -> {};

	/**
	 * @param done steps finished (frames decoded, while decoding)
	 * @param total steps in all (frames in all, while decoding)
	 * @param stage what is running
	 */
	void progress(int done, int total, Stage stage);
}
