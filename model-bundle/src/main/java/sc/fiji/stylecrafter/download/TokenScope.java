package sc.fiji.stylecrafter.download;

import java.net.URI;
import java.util.Locale;

/**
 * Which addresses may receive the Hugging Face access token: Hugging Face itself ({@code huggingface.co} and its
 * subdomains, over HTTPS) and the endpoint the user chose ({@code HF_ENDPOINT} or {@code --endpoint}, a mirror, same
 * scheme, host and port). Nothing else: not GitHub (the vocabulary), not PyTorch's server (the GPU runtime), not a
 * host a redirect leads to. A token is a password; sending it to every host would hand it to each of them.
 */
final class TokenScope {

	private static final String HUGGING_FACE = "huggingface.co";

	private final URI endpoint;

	/** @param endpoint the user's Hugging Face endpoint (a mirror), or {@code null} */
	TokenScope(URI endpoint) {
		this.endpoint = endpoint;
	}

	/** True if a request to {@code uri} may carry the token. */
	boolean allows(URI uri) {
		String host = host(uri);
		if (host == null) return false;
		if ("https".equalsIgnoreCase(uri.getScheme()) && (host.equals(HUGGING_FACE) || host.endsWith("." + HUGGING_FACE))) return true;
		return endpoint != null && host.equals(host(endpoint)) && String.valueOf(uri.getScheme()).equalsIgnoreCase(endpoint.getScheme())
			&& port(uri) == port(endpoint);
	}

	private static String host(URI u) {
		return u.getHost() == null ? null : u.getHost().toLowerCase(Locale.ROOT);
	}

	private static int port(URI u) {
		if (u.getPort() >= 0) return u.getPort();
		return "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
	}
}
