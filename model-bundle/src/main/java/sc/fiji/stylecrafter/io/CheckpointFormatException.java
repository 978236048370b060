package sc.fiji.stylecrafter.io;

import java.io.IOException;

/** A weight file that cannot be read: corrupt, truncated, of an unsupported format, or holding forbidden content. */
public class CheckpointFormatException extends IOException {

	private static final long serialVersionUID = 1L;

	public CheckpointFormatException(String message) {
		super(message);
	}

	public CheckpointFormatException(String message, Throwable cause) {
		super(message, cause);
	}
}
