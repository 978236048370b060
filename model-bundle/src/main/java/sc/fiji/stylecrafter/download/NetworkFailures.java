package sc.fiji.stylecrafter.download;

import java.io.IOException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.security.GeneralSecurityException;
import java.time.Duration;

import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Sorts the failures of sending a request into those another attempt may cure (refused or dropped connections,
 * timeouts) and those it cannot (a host name that does not resolve, a certificate or TLS handshake refused), which fail
 * at once with what to do: retrying them only made a user wait a minute for the same error.
 */
final class NetworkFailures {

	private NetworkFailures() {}

	/** A {@link ModelSetupException} for a permanent failure, else a {@link RetryableFailure}; both say what happened. */
	static IOException of(IOException e, URI uri, Duration connectTimeout, Duration answerTimeout) {
		String host = uri.getHost();
		if (has(e, UnknownHostException.class) || has(e, UnresolvedAddressException.class)) {
			return new ModelSetupException("cannot find the server " + host + ": its name does not resolve to an address (no network, no "
				+ "name server, or a mistyped address). Check the network connection; behind a proxy set https.proxyHost or "
				+ "-Djava.net.useSystemProxies=true (or HTTPS_PROXY); without a network, copy the files from a computer that has "
				+ "them (see docs/models.md)", e);
		}
		if (has(e, SSLHandshakeException.class) || has(e, SSLPeerUnverifiedException.class) || has(e, GeneralSecurityException.class)) {
			return new ModelSetupException("the secure connection to " + host + " was refused (" + innermost(e) + "): a proxy or firewall "
				+ "that inspects HTTPS needs its certificate in Java's trust store, and the computer's clock must be right; trying again "
				+ "does not help", e);
		}
		if (e instanceof HttpConnectTimeoutException) {
			return new RetryableFailure("connecting to " + host + " took longer than " + connectTimeout.toSeconds() + " s (a slow network, or a "
				+ "proxy is needed: set https.proxyHost or -Djava.net.useSystemProxies=true)");
		}
		if (e instanceof HttpTimeoutException) {
			return new RetryableFailure(host + " did not answer within " + seconds(answerTimeout));
		}
		if (e instanceof java.net.ConnectException) {
			return new RetryableFailure("cannot reach " + host + " (" + innermost(e) + "; no network, or a proxy is needed: set "
				+ "https.proxyHost or -Djava.net.useSystemProxies=true)");
		}
		return new RetryableFailure("the connection to " + host + " failed (" + innermost(e) + ")");
	}

	/** {@code 60 s}, {@code 1.5 s}, {@code 10 ms}. */
	static String seconds(Duration d) {
		long ms = d.toMillis();
		if (ms < 1000 && ms != 0) return ms + " ms";
		return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
	}

	private static boolean has(Throwable e, Class<? extends Throwable> type) {
		for (Throwable t = e; t != null; t = t.getCause()) if (type.isInstance(t)) return true;
		return false;
	}

	/** The deepest cause that says something: {@code Connection refused}, {@code PKIX path building failed ...}. */
	private static String innermost(Throwable e) {
		String said = e.getClass().getSimpleName();
		for (Throwable t = e; t != null; t = t.getCause()) {
			if (t.getMessage() != null && !t.getMessage().isBlank()) said = t.getMessage();
			else if (t.getCause() == null) said = t.getClass().getSimpleName();
		}
		return said;
	}
}
