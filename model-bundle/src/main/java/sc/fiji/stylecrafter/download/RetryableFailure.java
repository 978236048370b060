package sc.fiji.stylecrafter.download;

import java.io.IOException;
import java.time.Duration;

/**
 * A failure worth another attempt (a dropped or stalled connection, a server error, a request to slow down), with the
 * wait the server asked for, if it did.
 */
final class RetryableFailure extends IOException {

	private static final long serialVersionUID = 1L;

	private final transient Duration retryAfter;

	RetryableFailure(String message) {
		this(message, null);
	}

	/** @param retryAfter the server's {@code Retry-After}, or {@code null} */
	RetryableFailure(String message, Duration retryAfter) {
		super(message);
		this.retryAfter = retryAfter;
	}

	/** The wait the server asked for, or {@code null}. */
	Duration retryAfter() {
		return retryAfter;
	}
}
