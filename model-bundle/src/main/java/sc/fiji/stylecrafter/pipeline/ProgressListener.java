package sc.fiji.stylecrafter.pipeline;

/** Told after each sampling step; must return quickly. */
@FunctionalInterface
public interface ProgressListener {

	ProgressListener NONE = (step, total, stage) -> {};

	/**
	 * @param done steps finished
	 * @param total steps in all
	 * @param stage what is running ("encoding", "sampling", "decoding")
	 */
	void progress(int done, int total, String stage);
}
