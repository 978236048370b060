package sc.fiji.stylecrafter.download;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * The {@code Retry-After} header of a 429 or 503 answer: how long the server asks a client to wait, given in seconds
 * ({@code 120}) or as an HTTP date ({@code Wed, 21 Oct 2015 07:28:00 GMT}). Asking again sooner only earns another
 * refusal.
 */
final class RetryAfter {

	private RetryAfter() {}

	/** The wait the header asks for (zero for a date in the past), or {@code null} when absent or unreadable. */
	static Duration parse(String header, ZonedDateTime now) {
		if (header == null || header.isBlank()) return null;
		String v = header.trim();
		if (v.matches("\\d{1,9}")) return Duration.ofSeconds(Long.parseLong(v));
		try {
			Duration d = Duration.between(now, ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME));
			return d.isNegative() ? Duration.ZERO : d;
		}
		catch (DateTimeParseException e) {
			return null; // neither form: the usual pauses apply
		}
	}
}
