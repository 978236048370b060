package sc.fiji.stylecrafter.pipeline;

/** The run was cancelled; the model stays loaded and usable. */
public class GenerationCancelledException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	public GenerationCancelledException(int step, int total) {
		super("generation cancelled after step " + step + " of " + total);
	}
}
