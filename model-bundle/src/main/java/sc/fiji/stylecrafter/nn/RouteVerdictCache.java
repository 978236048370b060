package sc.fiji.stylecrafter.nn;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * The route verdicts of earlier processes on this machine, so that a new process does not check and time every shape
 * again (at full size the checks cost seconds, the VAE's group norms ten). A verdict is kept for one machine identity: the
 * CPU's model name and feature flags, the operating system and architecture, the libtorch and DJL versions, this
 * program's version, {@link #FORMAT} (raised whenever a route's Java code changes) and the routes' TorchScript
 * ({@link #routeCode}). Another CPU kind, another libtorch or
 * another build checks afresh; the self-test always does.
 *
 * <p>One tab-separated line per verdict, appended as checks run (whole lines, so workers sharing a home folder do not
 * mix their lines). The file is data: a line that does not parse is skipped, a file over {@value #MAX_BYTES} bytes is
 * not read, a file that cannot be written leaves the process checking as before. {@code -Dstylecrafter.routes=off}
 * turns the cache off, {@code -Dstylecrafter.routes=FILE} puts it elsewhere; by default it is
 * {@code $XDG_CACHE_HOME/stylecrafter/route-verdicts.tsv} ({@code ~/.cache/...}).
 */
final class RouteVerdictCache {

	/** Raised when a route's code changes, so that verdicts on the old code are not used. */
	static final int FORMAT = 5;
	static final long MAX_BYTES = 4L << 20;

	private final Path file;
	private final String machine;

	RouteVerdictCache(Path file, String machine) {
		this.file = file;
		this.machine = machine;
	}

	/** The cache the system property or the default names, or {@code null} when it is off or no home folder is known. */
	static RouteVerdictCache configured() {
		String p = System.getProperty("stylecrafter.routes");
		if ("off".equals(p)) return null;
		Path file;
		if (p != null && !p.isBlank()) file = Path.of(p);
		else {
			String xdg = System.getenv("XDG_CACHE_HOME");
			String home = System.getProperty("user.home");
			if (xdg != null && !xdg.isBlank()) file = Path.of(xdg, "stylecrafter", "route-verdicts.tsv");
			else if (home != null && !home.isBlank()) file = Path.of(home, ".cache", "stylecrafter", "route-verdicts.tsv");
			else return null;
		}
		return new RouteVerdictCache(file, machineIdentity());
	}

	Path file() {
		return file;
	}

	/** The verdicts stored for this machine identity (the last line of a key wins); none where the file is absent or unreadable. */
	List<RouteChecks.Verdict> load() {
		List<RouteChecks.Verdict> out = new ArrayList<>();
		try {
			if (!Files.isRegularFile(file) || Files.size(file) > MAX_BYTES) return out;
			for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
				RouteChecks.Verdict v = parse(line);
				if (v != null) out.add(v);
			}
		}
		catch (IOException | RuntimeException e) {
			return List.of(); // a cache that cannot be read is no cache
		}
		return out;
	}

	/** Appends a verdict; a file that cannot be written is left alone (the verdict still holds in this process). */
	void store(RouteChecks.Verdict v) {
		String line = String.join("\t", machine, v.route().id(), Integer.toString(v.threads()), clean(v.device()), clean(v.shape()), number(v.error()),
			number(v.tolerance()), number(v.routeSeconds()), number(v.referenceSeconds()), v.failure() == null ? "-" : clean(v.failure())) + "\n";
		try {
			Files.createDirectories(file.toAbsolutePath().getParent());
			Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
		}
		catch (IOException | RuntimeException e) {
			// the cache is an optimisation: without it the next process checks again
		}
	}

	private RouteChecks.Verdict parse(String line) {
		String[] f = line.split("\t", -1);
		if (f.length != 10 || !f[0].equals(machine)) return null;
		Route route = null;
		for (Route r : Route.values()) if (r.id().equals(f[1])) route = r;
		if (route == null) return null;
		try {
			int threads = Integer.parseInt(f[2]);
			double error = Double.parseDouble(f[5]), tolerance = Double.parseDouble(f[6]), routeSeconds = Double.parseDouble(f[7]),
				referenceSeconds = Double.parseDouble(f[8]);
			String failure = f[9].equals("-") ? null : f[9];
			return new RouteChecks.Verdict(route, f[4], threads, f[3], error, tolerance, routeSeconds, referenceSeconds, 0, failure);
		}
		catch (NumberFormatException e) {
			return null;
		}
	}

	private static String number(double d) {
		return Double.isNaN(d) ? "NaN" : String.format(Locale.ROOT, "%.6g", d);
	}

	private static String clean(String s) {
		return s.replaceAll("[\\t\\r\\n]", " ");
	}

	/**
	 * The TorchScript every route runs (convolutions at stride 1, padding 1): part of the machine identity, so that a
	 * change of a route's code makes every verdict on the old code stale without anyone raising {@link #FORMAT} (a
	 * stored verdict on the size-hinted packing said "right" for the packed bfloat16 convolution with 4 outputs, which
	 * computes 0.19 wrong without the hint: the UNet call came out 0.286 off until the cache was made stale).
	 */
	static String routeCode() {
		return String.join("\n", PackedWeights.FLOAT32.code(), PackedWeights.BFLOAT16.code(), Bfloat16.code(), Attention.code(), GroupNorm.code());
	}

	/** A digest of what decides which kernels libtorch runs and how: CPU, system, library versions, this program, the routes' code. */
	static String machineIdentity() {
		StringBuilder b = new StringBuilder();
		b.append(System.getProperty("os.name")).append('|').append(System.getProperty("os.arch")).append('|');
		try {
			Path cpuinfo = Path.of("/proc/cpuinfo");
			if (Files.isReadable(cpuinfo)) {
				for (String line : Files.readAllLines(cpuinfo)) {
					if (line.startsWith("model name") || line.startsWith("flags") || line.startsWith("vendor_id") || line.startsWith("cpu family")
						|| line.startsWith("model\t") || line.startsWith("stepping")) {
						b.append(line.trim()).append('|');
						if (line.startsWith("flags")) break; // the first processor's lines
					}
				}
			}
		}
		catch (IOException | RuntimeException e) {
			b.append("no cpuinfo|");
		}
		b.append(ai.djl.engine.Engine.getEngine("PyTorch").getVersion()).append('|');
		b.append(ai.djl.engine.Engine.getDjlVersion()).append('|');
		b.append(RouteVerdictCache.class.getPackage().getImplementationVersion()).append('|').append(FORMAT).append('|').append(routeCode());
		try {
			byte[] d = MessageDigest.getInstance("SHA-256").digest(b.toString().getBytes(StandardCharsets.UTF_8));
			return HexFormat.of().formatHex(d, 0, 12);
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}
}
