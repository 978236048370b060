package sc.fiji.stylecrafter.download;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * The Hugging Face endpoint: {@code https://huggingface.co}, or a mirror a user names with the {@code HF_ENDPOINT}
 * environment variable (the convention of huggingface_hub) or {@code --endpoint}. Files are fetched from
 * {@code <endpoint>/<repository>/resolve/<revision>/<path>} there, and the endpoint may receive the access token.
 */
public final class HuggingFaceEndpoint {

	/** The environment variable huggingface_hub reads for a mirror. */
	public static final String ENV = "HF_ENDPOINT";

	/** Hugging Face itself. */
	public static final URI OFFICIAL = URI.create("https://huggingface.co");

	private HuggingFaceEndpoint() {}

	/**
	 * The endpoint a user gave ({@code what} names where it came from, for the message), without a trailing slash.
	 *
	 * @throws ModelSetupException if it is not an http or https address with a host
	 */
	public static URI parse(String text, String what) throws ModelSetupException {
		String t = text.trim();
		while (t.endsWith("/")) t = t.substring(0, t.length() - 1);
		try {
			URI u = new URI(t);
			String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
			if ((scheme.equals("http") || scheme.equals("https")) && u.getHost() != null && u.getQuery() == null && u.getFragment() == null) return u;
		}
		catch (URISyntaxException e) {
			// said below
		}
		throw new ModelSetupException(what + " '" + text + "' is not a web address of a Hugging Face mirror (such as https://hf-mirror.com): "
			+ "it needs http:// or https://, a host name, and no ?query; correct it, or leave it empty for huggingface.co");
	}

	/** {@code $HF_ENDPOINT}, or {@code null} when unset; a malformed value is an error that says so. */
	public static URI fromEnvironment() throws ModelSetupException {
		String env = System.getenv(ENV);
		return env == null || env.isBlank() ? null : parse(env, "the environment variable " + ENV);
	}

	/** {@code <endpoint>/<repository>/resolve/<revision>/<path>}. */
	public static URI resolve(URI endpoint, ModelFile f) {
		String base = endpoint.toString();
		while (base.endsWith("/")) base = base.substring(0, base.length() - 1);
		return URI.create(base + "/" + f.repository() + "/resolve/" + f.revision() + "/" + f.pathInRepository());
	}
}
