package sc.fiji.stylecrafter.download;

import java.io.IOException;
import java.io.InputStream;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZonedDateTime;

/**
 * The HTTP side of {@link Downloader}: requests with the idle timeout and a Range, redirects followed by hand so that
 * the access token reaches only the addresses {@link TokenScope} allows (java.net.http's own redirects forward an
 * Authorization header to any host: checked against a local server), and what each failing status means.
 */
final class Requests {

	private static final int MAX_REDIRECTS = 10;
	private static final String USER_AGENT = "StyleCrafter-for-Fiji";

	private final HttpClient http;
	private final Downloader.Options options;
	private final TokenScope tokenScope;

	Requests(Downloader.Options options, ProxySelector proxy) {
		this.options = options;
		this.tokenScope = new TokenScope(options.endpoint());
		this.http = HttpClient.newBuilder().proxy(proxy).followRedirects(HttpClient.Redirect.NEVER).connectTimeout(options.connectTimeout()).build();
	}

	/**
	 * Sends a request and follows redirects by hand, the token only to the addresses {@link TokenScope} allows.
	 *
	 * @throws ModelSetupException for what a retry cannot cure (an unknown host, TLS, a malformed or insecure address)
	 * @throws RetryableFailure for the rest
	 */
	<T> HttpResponse<T> send(URI from, String method, long have, HttpResponse.BodyHandler<T> handler) throws IOException, InterruptedException {
		URI at = from;
		for (int hop = 0;; hop++) {
			HttpResponse<T> r;
			try {
				r = http.send(request(at, method, have), handler);
			}
			catch (IOException e) {
				throw NetworkFailures.of(e, at, options.connectTimeout(), options.idleTimeout());
			}
			int status = r.statusCode();
			if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) return r;
			if (r.body() instanceof InputStream in) in.close();
			String location = r.headers().firstValue("Location").orElseThrow(() -> new ModelSetupException(r.uri() + " answered HTTP " + status
				+ " (moved) without saying where to"));
			URI next;
			try {
				next = at.resolve(location);
			}
			catch (IllegalArgumentException e) {
				throw new ModelSetupException(at + " redirects to '" + location + "', which is not a valid address", e);
			}
			if ("https".equalsIgnoreCase(at.getScheme()) && !"https".equalsIgnoreCase(next.getScheme())) {
				throw new ModelSetupException(at + " redirects to " + next + ", which is not a secure (https) address; the download was refused");
			}
			if (hop >= MAX_REDIRECTS) throw new ModelSetupException(from + " redirects more than " + MAX_REDIRECTS + " times (the last to " + next + ")");
			at = next;
		}
	}

	HttpRequest request(URI at, String method, long have) throws ModelSetupException {
		HttpRequest.Builder rb;
		try {
			rb = HttpRequest.newBuilder(at).timeout(options.idleTimeout()).header("User-Agent", USER_AGENT).method(method, HttpRequest.BodyPublishers.noBody());
		}
		catch (IllegalArgumentException e) {
			throw new ModelSetupException("'" + at + "' cannot be downloaded (" + e.getMessage() + "): only http and https addresses with a host "
				+ "are, so correct the address", e);
		}
		if (have > 0) rb.header("Range", "bytes=" + have + "-");
		if (options.token() != null && !options.token().isBlank() && tokenScope.allows(at)) rb.header("Authorization", "Bearer " + options.token());
		return rb.build();
	}

	/** The failure an HTTP status means: retryable (408, 429, 5xx; with the server's Retry-After) or not, with what to do. */
	IOException statusError(ModelFile file, URI at, int status, HttpHeaders headers) {
		boolean tokenSet = options.token() != null && !options.token().isBlank();
		switch (status) {
			case 401:
			case 403:
				String token = !tokenSet ? "create an access token and set it in the environment as HF_TOKEN"
					: tokenScope.allows(at) ? "the token in HF_TOKEN was sent and refused: check that it has read access"
					: "the token in HF_TOKEN was not sent, as " + at.getHost() + " is not Hugging Face (if it is your mirror, name it with HF_ENDPOINT or --endpoint)";
				return new ModelSetupException(at + " refused access (HTTP " + status + "). If the repository " + file.repository()
					+ " is gated, accept its terms on its Hugging Face page while signed in; " + token + " (or place the file by hand)");
			case 404:
				return new ModelSetupException(at + " does not exist (HTTP 404): the file was moved or the pinned revision " + file.revision()
					+ " is gone; place the file by hand or update StyleCrafter");
			default:
				if (status != 408 && status != 429 && status < 500) return new ModelSetupException(at + " answered HTTP " + status);
				Duration asked = RetryAfter.parse(headers.firstValue("Retry-After").orElse(null), ZonedDateTime.now());
				String what = "the server answered HTTP " + status + statusName(status);
				if (asked == null) return new RetryableFailure(what);
				if (asked.compareTo(options.maxRetryAfter()) > 0) {
					return new ModelSetupException(at.getHost() + " answered HTTP " + status + statusName(status) + " and asks to wait "
						+ asked.toSeconds() + " s before the next request, longer than StyleCrafter waits (" + NetworkFailures.seconds(options.maxRetryAfter())
						+ "); run the download again in about " + Math.max(1, (asked.toSeconds() + 59) / 60) + " min");
				}
				return new RetryableFailure(what + " and asked to wait " + NetworkFailures.seconds(asked) + " (Retry-After)", asked);
		}
	}

	private static String statusName(int status) {
		return switch (status) {
			case 408 -> " (request timeout)";
			case 429 -> " (too many requests)";
			case 500 -> " (internal server error)";
			case 502 -> " (bad gateway)";
			case 503 -> " (service unavailable)";
			case 504 -> " (gateway timeout)";
			default -> "";
		};
	}
}
