package sc.fiji.stylecrafter.nn;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import ai.djl.Device;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;

/**
 * The process's verdicts on the {@link Route}s: a route is taken at a shape only after it was checked there, on this
 * machine, at the running thread count, against its reference, on random inputs, and found right and faster (the
 * kernel is chosen by measurement on the running machine, not by the machine it was tuned on) (drawn here in Java, so libtorch's
 * generator, which a seeded generation uses, is not touched). Once per route, shape, thread count and device, its cost
 * kept with the verdict. A route that disagrees is not taken at that shape again in this process, and the first
 * rejection of each route is reported once, in one line ({@link #takeReports}).
 *
 * <p>The layers ask {@link #accept}; {@link #collect} tells which routes one generation used; {@link #trace} lists the
 * routes a forward pass would ask for without computing it (the self-test).
 */
public final class RouteChecks {

	/** What a check measured: the route's relative error against the reference, and the time of each. */
	public record Comparison(double error, double routeSeconds, double referenceSeconds) {}

	/** A check: builds random inputs of the shape on {@code m} (a manager of the layer's device) and compares. */
	@FunctionalInterface
	public interface Check {
		Comparison run(NDManager m);
	}

	/**
	 * A verdict.
	 *
	 * @param shape the shape in words ({@code [4096, 320] -> 2560, float32})
	 * @param failure why the check could not compare (the route threw), or {@code null}
	 */
	public record Verdict(Route route, String shape, int threads, String device, double error, double tolerance, double routeSeconds,
		double referenceSeconds, double checkSeconds, String failure)
	{
		/** Whether the route is taken at this shape: it agreed with the reference and was the faster. */
		public boolean accepted() {
			return right() && faster();
		}

		/** Whether the route agreed with the reference (a NaN error does not). */
		public boolean right() {
			return failure == null && error <= tolerance;
		}

		/** Whether the route took less time than the reference in the check (warm calls, on this machine). */
		public boolean faster() {
			return routeSeconds < referenceSeconds;
		}

		/** The one-line report of a rejection. */
		public String report() {
			return route.label() + " computed " + shape + " wrong on this machine (" + (failure != null ? failure
				: String.format(Locale.ROOT, "relative error %.3g against %s, allowed %.0e", error, route.reference(), tolerance)) + ", " + threads
				+ " thread(s)); layers of that shape compute with " + route.instead() + " instead";
		}
	}

	private record Key(Route route, String shape, int threads, String device) {}

	/** A route a forward pass asked for while {@link #trace traced}: what a check there needs. */
	public record Demand(Route route, String shape, Device device, DataType type, Check check) {

		/** What makes two demands the same: route, shape and device. */
		public String key() {
			return route.id() + " " + shape + " " + device;
		}
	}

	private static final Map<Key, Verdict> VERDICTS = new ConcurrentHashMap<>();
	private static final Set<Route> REPORTED = EnumSet.noneOf(Route.class);
	private static final List<String> UNREPORTED = new ArrayList<>();
	private static final Set<Route> BROKEN = ConcurrentHashMap.newKeySet();
	private static final ThreadLocal<Usage> USAGE = new ThreadLocal<>();
	private static final ThreadLocal<Map<String, Demand>> TRACE = new ThreadLocal<>();
	/** Earlier processes' verdicts on this machine ({@code null}: off); read at the first check unless {@link #forget} came first. */
	private static RouteVerdictCache cache;
	private static boolean cacheResolved;
	private static boolean cacheRead;

	private RouteChecks() {}

	/**
	 * Whether to take {@code route} at {@code shape}: checks it first if this process has not yet (at this thread count,
	 * on this device). While a pass is {@link #trace traced}, only notes the demand and says no.
	 *
	 * @param shape the shape in words, the key of the verdict: everything that may change the kernel libtorch picks
	 * @param like the layer's input: the check runs on its device, with a tolerance for its type
	 */
	public static boolean accept(Route route, String shape, NDArray like, Check check) {
		Verdict v = consult(route, shape, like, check);
		return v != null && v.accepted();
	}

	/**
	 * As {@link #accept}, the verdict itself (to choose the faster of two routes that are both right), or {@code null}
	 * while a pass is traced.
	 */
	public static Verdict consult(Route route, String shape, NDArray like, Check check) {
		Device device = like.getDevice();
		DataType type = like.getDataType();
		Map<String, Demand> trace = TRACE.get();
		Demand d = new Demand(route, shape, device, type, check);
		if (trace != null) {
			trace.putIfAbsent(d.key(), d);
			return null;
		}
		Verdict v = check(d);
		Usage u = USAGE.get();
		if (u != null) u.add(v);
		return v;
	}

	/** The route to take among candidates' verdicts ({@code null}s skipped): the accepted one with the shortest time, or {@code null}. */
	public static Route fastest(Verdict... verdicts) {
		Verdict best = null;
		for (Verdict v : verdicts) {
			if (v != null && v.accepted() && (best == null || v.routeSeconds() < best.routeSeconds())) best = v;
		}
		Usage u = USAGE.get();
		if (u != null) {
			for (Verdict v : verdicts) if (v != null && v != best && v.accepted()) u.passOver(v);
		}
		return best == null ? null : best.route();
	}

	/** Checks a traced demand now (at the running thread count), or returns the verdict this process already has. */
	public static Verdict check(Demand d) {
		Key key = key(d.route(), d.shape(), d.device());
		Verdict v = VERDICTS.get(key);
		return v != null ? v : check(key, d.device(), d.type(), d.check());
	}

	/** The verdict's key: route, shape and device, at the running thread count. */
	private static Key key(Route route, String shape, Device device) {
		return new Key(route, shape, JniUtils.getNumThreads(), device.toString());
	}

	private static synchronized Verdict check(Key key, Device device, DataType type, Check check) {
		readCache();
		Verdict v = VERDICTS.get(key);
		if (v != null) return v;
		long t0 = System.nanoTime();
		Comparison c = null;
		String failure = null;
		// the check's arrays are its own: a scope of its own inside whatever scope the layer's caller opened
		try (NDManager m = NDManager.newBaseManager(device); NDScope scope = new NDScope()) {
			c = check.run(m);
		}
		catch (EngineException | IllegalStateException | IllegalArgumentException | UnsupportedOperationException e) {
			failure = "the route failed: " + ScriptedOp.firstLine(e);
		}
		v = new Verdict(key.route(), key.shape(), key.threads(), key.device(), c == null ? Double.NaN : c.error(), key.route().tolerance(type),
			c == null ? Double.NaN : c.routeSeconds(), c == null ? Double.NaN : c.referenceSeconds(), (System.nanoTime() - t0) / 1e9, failure);
		VERDICTS.put(key, v);
		if (cache() != null && BROKEN.isEmpty() && !device.isGpu()) cache().store(v);
		if (!v.right() && REPORTED.add(key.route())) UNREPORTED.add(v.report());
		return v;
	}

	/** Takes the CPU verdicts earlier processes stored for this machine, once (never after {@link #forget}). */
	private static void readCache() {
		if (cacheRead || cache() == null) return;
		cacheRead = true;
		for (Verdict v : cache().load()) {
			if (v.device().equals(Device.cpu().toString())) VERDICTS.put(new Key(v.route(), v.shape(), v.threads(), v.device()), v);
		}
	}

	/** Where verdicts are kept between processes, or {@code null} when that is off ({@code -Dstylecrafter.routes=off}). */
	public static synchronized java.nio.file.Path cacheFile() {
		return cache() == null ? null : cache().file();
	}

	/** The cache, made at first use (its machine identity asks the loaded engine for libtorch's version). */
	private static synchronized RouteVerdictCache cache() {
		if (!cacheResolved) {
			cacheResolved = true;
			cache = RouteVerdictCache.configured();
		}
		return cache;
	}

	/**
	 * What earlier processes on this machine chose, from the stored verdicts at the running thread count: one line per
	 * route, as {@link Usage#summary} says it (where two routes are right at a shape, the faster is counted as used).
	 * Loads the CPU engine (the machine identity names libtorch's version). Empty when nothing is stored.
	 */
	public static synchronized List<String> storedSummary() {
		return cache() == null ? List.of() : storedSummary(cache(), JniUtils.getNumThreads());
	}

	/** {@link #storedSummary()} of {@code cache} at {@code threads}. */
	static List<String> storedSummary(RouteVerdictCache cache, int threads) {
		Map<String, List<Verdict>> byShape = new LinkedHashMap<>();
		for (Verdict v : cache.load()) {
			if (v.threads() == threads) byShape.computeIfAbsent(v.shape(), k -> new ArrayList<>()).add(v);
		}
		try (Usage u = collect()) {
			for (List<Verdict> candidates : byShape.values()) {
				Map<Route, Verdict> last = new EnumMap<>(Route.class); // the last line of a route and shape wins
				for (Verdict v : candidates) last.put(v.route(), v);
				last.values().forEach(u::add);
				fastest(last.values().toArray(new Verdict[0]));
			}
			return u.summary();
		}
	}

	/** The one-line reports of rejections not yet handed out (the first rejection of each route, once per process). */
	public static synchronized List<String> takeReports() {
		List<String> out = List.copyOf(UNREPORTED);
		UNREPORTED.clear();
		return out;
	}

	/** The verdict on {@code route} at {@code shape} on {@code device} at the running thread count, if it was checked. */
	public static java.util.Optional<Verdict> verdict(Route route, String shape, Device device) {
		return java.util.Optional.ofNullable(VERDICTS.get(key(route, shape, device)));
	}

	/** Every verdict of this process. */
	public static List<Verdict> verdicts() {
		return List.copyOf(VERDICTS.values());
	}

	/**
	 * Forgets every verdict and report, and checks afresh from now on without earlier processes' verdicts (the self-test;
	 * tests that change the thread count or break a route on purpose). New verdicts are still stored for later processes.
	 */
	public static synchronized void forget() {
		cacheRead = true;
		VERDICTS.clear();
		REPORTED.clear();
		UNREPORTED.clear();
	}

	// ---- what one generation used ----

	/** The verdicts one piece of work consulted, per route; open one with {@link #collect}. */
	public static final class Usage implements AutoCloseable {

		private final Usage previous = USAGE.get();
		private final Map<Route, Map<String, Verdict>> seen = new EnumMap<>(Route.class);
		private final Map<Route, Set<String>> passedOver = new EnumMap<>(Route.class);

		private Usage() {
			USAGE.set(this);
		}

		private void add(Verdict v) {
			seen.computeIfAbsent(v.route(), r -> new LinkedHashMap<>()).putIfAbsent(v.shape(), v);
			if (previous != null) previous.add(v);
		}

		/** An accepted route that was not taken because another candidate was faster at its shape. */
		private void passOver(Verdict v) {
			passedOver.computeIfAbsent(v.route(), r -> new java.util.LinkedHashSet<>()).add(v.shape());
			if (previous != null) previous.passOver(v);
		}

		/**
		 * One line per route consulted: at how many shapes it was taken, left because the reference was faster, and
		 * rejected as wrong (with the largest error); the route's time against the reference's over the shapes where it
		 * was taken, and what the checks cost. Empty when no route was asked for.
		 */
		public List<String> summary() {
			List<String> out = new ArrayList<>();
			for (Map.Entry<Route, Map<String, Verdict>> e : seen.entrySet()) {
				int used = 0, slower = 0, wrong = 0, other = 0;
				double worst = 0, seconds = 0, route = 0, reference = 0;
				Set<String> over = passedOver.getOrDefault(e.getKey(), Set.of());
				for (Verdict v : e.getValue().values()) {
					seconds += v.checkSeconds();
					if (v.accepted() && over.contains(v.shape())) other++;
					else if (v.accepted()) {
						used++;
						route += v.routeSeconds();
						reference += v.referenceSeconds();
					}
					else if (v.right()) slower++;
					else {
						wrong++;
						worst = Double.isNaN(v.error()) ? Double.NaN : Math.max(worst, v.error());
					}
				}
				out.add(String.format(Locale.ROOT, "%s: used at %d shape(s)%s%s%s%s%s", e.getKey().id(), used,
					used == 0 ? "" : String.format(Locale.ROOT, " (%.2fx the time of %s there)", route / reference, e.getKey().instead()),
					other == 0 ? "" : String.format(Locale.ROOT, ", right but another route was faster at %d", other),
					slower == 0 ? "" : String.format(Locale.ROOT, ", slower than %s at %d", e.getKey().instead(), slower),
					wrong == 0 ? "" : String.format(Locale.ROOT, ", wrong at %d (largest error %.3g: %s ran there)", wrong, worst, e.getKey().instead()),
					seconds == 0 ? "" : String.format(Locale.ROOT, "; checks %.2f s", seconds))); // stored verdicts cost no check
			}
			return out;
		}

		@Override
		public void close() {
			if (previous == null) USAGE.remove();
			else USAGE.set(previous);
		}
	}

	/** Starts collecting, on this thread, which routes the work asks for (nested collections see their inner work too). */
	public static Usage collect() {
		return new Usage();
	}

	// ---- tracing a forward pass ----

	/**
	 * Runs {@code pass} with every routed layer ({@link Linear}, {@link Conv2d}, {@link Attention}, {@link GroupNorm})
	 * answering zeros of its output's shape instead of computing, and returns the routes the pass asked for, one per
	 * route and shape, in the order asked. The self-test lists a model's routes so, without computing the model.
	 */
	public static List<Demand> trace(Runnable pass) {
		Map<String, Demand> previous = TRACE.get();
		Map<String, Demand> demands = new LinkedHashMap<>();
		TRACE.set(demands);
		try {
			pass.run();
		}
		finally {
			if (previous == null) TRACE.remove();
			else TRACE.set(previous);
		}
		return new ArrayList<>(demands.values());
	}

	/** Whether a pass is being {@link #trace traced} on this thread (the routed layers then answer {@link #zeros}). */
	public static boolean tracing() {
		return TRACE.get() != null;
	}

	/**
	 * What a routed layer answers while traced: zeros of its output's shape, like {@code x}, on {@code x}'s manager, as a
	 * view of one zero (no memory, nothing to fill).
	 */
	public static NDArray zeros(NDArray x, Shape shape) {
		return zeroView(x.getManager(), x.getDataType(), shape);
	}

	/** Zeros of {@code shape} as a view of one zero on {@code m} (no memory, nothing to fill); also the zero weights'. */
	static NDArray zeroView(NDManager m, DataType type, Shape shape) {
		return m.zeros(new Shape(1), type, m.getDevice()).broadcast(shape);
	}

	// ---- helpers for the checks ----

	/**
	 * Random values of unit variance (uniform), drawn in Java from a seed, as float32 on {@code m}'s device: no draw from
	 * libtorch's generator.
	 */
	public static NDArray random(NDManager m, long seed, long... shape) {
		Shape s = new Shape(shape);
		long n = s.size();
		if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("a check input of " + s + " is too large");
		// drawn in chunks through one small Java array: a full-size input drawn at once (the VAE's 512x512 images, 134 MB)
		// grew the Java heap by gigabytes of short-lived arrays over a first decode's checks
		SplittableRandom r = new SplittableRandom(seed);
		float half = (float) Math.sqrt(3);
		float[] values = new float[(int) Math.min(n, RANDOM_CHUNK)];
		ai.djl.ndarray.NDList parts = new ai.djl.ndarray.NDList();
		for (long done = 0; done < n; done += values.length) {
			int k = (int) Math.min(values.length, n - done);
			for (int i = 0; i < k; i++) values[i] = (float) (r.nextDouble() * 2 - 1) * half;
			parts.add(m.create(k == values.length ? values : java.util.Arrays.copyOf(values, k), new Shape(k)));
		}
		NDArray flat = parts.size() == 1 ? parts.get(0) : ai.djl.ndarray.NDArrays.concat(parts);
		if (parts.size() > 1) parts.close();
		return flat.reshape(s).toDevice(m.getDevice(), false);
	}

	/** Values drawn per chunk by {@link #random} (4 MB of floats). */
	private static final int RANDOM_CHUNK = 1 << 20;

	/**
	 * A layer's check inputs, drawn by {@link #random} from one seed: the input {@code x} (seed), the weight scaled by
	 * 1/sqrt(fan-in) so the output stays of unit size (seed + 1), the bias (seed + 2) or {@code null}.
	 */
	public record LayerInputs(NDArray x, NDArray w, NDArray b) {

		/** For an input of {@code input} and a weight of {@code weight} ({@code [out, in]} or {@code [out, in, k, k]}). */
		public static LayerInputs draw(NDManager m, long seed, Shape input, Shape weight, boolean hasBias) {
			long fanIn = weight.size() / weight.get(0);
			return new LayerInputs(random(m, seed, input.getShape()), random(m, seed + 1, weight.getShape()).div((float) Math.sqrt(fanIn)),
				hasBias ? random(m, seed + 2, weight.get(0)) : null);
		}
	}

	/** A seed for a check's inputs, from its shape: the same inputs every time the same shape is checked. */
	public static long seed(String shape) {
		return shape.hashCode() * 0x9E3779B97F4A7C15L;
	}

	/** Warm calls of each side a check times, alternately; each side's time is its fastest. */
	static final int TIMED_CALLS = 3;
	/** Calls that take longer together than this (a VAE convolution at 512x512) are timed once each. */
	private static final long LONG_CALLS_NANOS = 250_000_000L;

	/**
	 * Compares {@code route} with {@code reference} ({@code |route - reference| / |reference|} over all values, in float32)
	 * and times them: after a first call of each (the comparison), each is called up to {@value #TIMED_CALLS} more times,
	 * alternately (once where the two take more than a quarter of a second together), and its fastest warm call is its time (on the CPU libtorch has finished when a call returns), so
	 * kernel creation, first-touch memory and a busy moment of a shared machine do not decide (with one timed call
	 * each, ties were decided by noise on a shared 2-core machine).
	 */
	public static Comparison compare(Supplier<NDArray> route, Supplier<NDArray> reference) {
		double error;
		try (NDScope scope = new NDScope()) { // each call's intermediates are freed with it, not with the whole check
			error = relativeError(route.get(), reference.get());
		}
		long routeNanos = Long.MAX_VALUE, referenceNanos = Long.MAX_VALUE;
		for (int i = 0; i < TIMED_CALLS; i++) {
			routeNanos = Math.min(routeNanos, timed(route));
			referenceNanos = Math.min(referenceNanos, timed(reference));
			if (routeNanos + referenceNanos > LONG_CALLS_NANOS) break; // long calls: the noise is small beside them, the checks' cost is not
		}
		return new Comparison(error, routeNanos / 1e9, referenceNanos / 1e9);
	}

	/** Nanoseconds of one call, its output and intermediates freed after the timing. */
	private static long timed(Supplier<NDArray> call) {
		try (NDScope scope = new NDScope()) {
			long t0 = System.nanoTime();
			call.get();
			return System.nanoTime() - t0;
		}
	}

	/** {@code |got - want| / |want|} (Frobenius norms, float32); the absolute norm where {@code want} is all zeros. */
	public static double relativeError(NDArray got, NDArray want) {
		if (!got.getShape().equals(want.getShape())) throw new IllegalStateException("the route gave " + got.getShape() + ", the reference " + want.getShape());
		NDArray g = got.toType(DataType.FLOAT32, false), w = want.toType(DataType.FLOAT32, false);
		double diff = g.sub(w).norm().getFloat(), norm = w.norm().getFloat();
		return norm == 0 ? diff : diff / norm;
	}

	/** Makes {@code route} compute wrong on purpose (its output times 1.1) until closed; for tests of the checks. */
	public static AutoCloseable breakOnPurpose(Route route) {
		forget();
		BROKEN.add(route);
		return () -> {
			BROKEN.remove(route);
			forget();
		};
	}

	/** A route's output as the route gives it: {@code y}, unless a test broke the route on purpose. */
	static NDArray output(Route route, NDArray y) {
		return BROKEN.isEmpty() || !BROKEN.contains(route) ? y : y.mul(1.1f);
	}
}
