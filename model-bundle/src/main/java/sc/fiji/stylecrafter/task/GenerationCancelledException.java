package sc.fiji.stylecrafter.task;

/** The run was cancelled; the model stays loaded and usable. */
public class GenerationCancelledException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	public GenerationCancelledException(int step, int total) {
		super("generation cancelled after step " + step + " of " + total);
	}

	/** Cancelled while decoding, after {@code frame} of {@code frames} frames. */
	public static GenerationCancelledException whileDecoding(int frame, int frames) {
		return new GenerationCancelledException("generation cancelled while decoding, after frame " + frame + " of " + frames);
	}

	/** Cancelled while encoding a source to restyle, after {@code frame} of {@code frames} frames. */
	public static GenerationCancelledException whileEncoding(int frame, int frames) {
		return new GenerationCancelledException("generation cancelled while encoding the source, after frame " + frame + " of " + frames);
	}

	private GenerationCancelledException(String message) {
		super(message);
	}
}
