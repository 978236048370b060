package sc.fiji.stylecrafter.download;

import java.io.IOException;

/** A download or check of the model files that failed; the message says what happened and what to do. */
public class ModelSetupException extends IOException {

	private static final long serialVersionUID = 1L;

	public ModelSetupException(String message) {
		super(message);
	}

	public ModelSetupException(String message, Throwable cause) {
		super(message, cause);
	}
}
