package sc.fiji.stylecrafter.nn;

/** A weight that is missing, or whose shape differs from what the network's config expects. Names the key. */
public class WeightException extends IllegalStateException {

	private static final long serialVersionUID = 1L;

	public WeightException(String message) {
		super(message);
	}
}
