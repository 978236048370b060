package sc.fiji.stylecrafter.nn;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

import ai.djl.pytorch.jni.JniUtils;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * A per-operation profile of a forward pass on the CPU, for benchmarks (not used in a generation). Two views of the
 * same work:
 * <ul>
 * <li>by block kind: the layers mark what they run ({@link #enter}); each kind gets its self time (time inside the
 * section minus the sections nested in it), measured in Java, so JNI crossings and DJL's bookkeeping are included;</li>
 * <li>by libtorch operator: libtorch's own profiler records every operator with its duration; self times (duration
 * minus nested operators) per operator name. The time of the pass spent outside any operator is what JNI, DJL and
 * freeing of tensors (which happens outside operators) cost.</li>
 * </ul>
 * With the process's CPU time (user, system) and minor page faults over the pass, read from {@code /proc/self/stat}.
 * Timing in Java is only meaningful on the CPU, where libtorch runs an operator before the call returns.
 */
public final class OpProfile {

	/** What a layer computes, for the by-kind view. Work outside every section counts as {@link #OTHER}. */
	public enum Kind {
		CONVOLUTION("convolution"),
		MATRIX_PRODUCT("matrix products (linear layers)"),
		ATTENTION("attention (scores, softmax, weighted sum)"),
		NORMALISATION("normalisation (group and layer norm)"),
		OTHER("elementwise, layout and the rest");

		final String label;

		Kind(String label) {
			this.label = label;
		}
	}

	/** An open section; closing it ends it. */
	public interface Section extends AutoCloseable {

		@Override
		void close();
	}

	private static final Section NONE = () -> {};
	private static final ThreadLocal<Recorder> ACTIVE = new ThreadLocal<>();

	private OpProfile() {}

	/** Marks the work until the returned section is closed as {@code kind}; nothing (one thread-local read) when no profile runs. */
	public static Section enter(Kind kind) {
		Recorder r = ACTIVE.get();
		return r == null ? NONE : r.enter(kind);
	}

	/** Counts {@code n} FLOPs towards the innermost open section (called by {@link FlopCounter#add}). */
	static void flops(long n) {
		Recorder r = ACTIVE.get();
		if (r != null) r.flops(n);
	}

	/** A profiled result. */
	public record Profiled<T>(T result, Report report) {}

	/** Runs {@code work} on this thread with both views recording. */
	public static <T> Profiled<T> run(Supplier<T> work) {
		Recorder r = new Recorder();
		Path trace;
		try {
			trace = Files.createTempFile("stylecrafter-profile-", ".json");
		}
		catch (IOException e) {
			throw new UncheckedIOException("cannot create the profile's temporary file", e);
		}
		T result;
		ProcStat before;
		ProcStat after;
		long t0;
		long t1;
		ACTIVE.set(r);
		JniUtils.startProfile(false, false, false);
		try {
			before = ProcStat.read();
			t0 = System.nanoTime();
			try (Section all = r.enter(Kind.OTHER)) {
				result = work.get();
			}
			t1 = System.nanoTime();
			after = ProcStat.read();
		}
		finally {
			JniUtils.stopProfile(trace.toString());
			ACTIVE.remove();
		}
		double wall = (t1 - t0) / 1e9;
		try {
			return new Profiled<>(result, new Report(wall, r.self, r.count, r.flops, Ops.read(trace), before.minus(after)));
		}
		finally {
			try {
				Files.deleteIfExists(trace);
			}
			catch (IOException ignored) {
				// a temporary file left behind is harmless
			}
		}
	}

	/** Self time per kind, measured in Java. */
	private static final class Recorder {

		final Map<Kind, Long> self = new EnumMap<>(Kind.class);
		final Map<Kind, Long> count = new EnumMap<>(Kind.class);
		final Map<Kind, Long> flops = new EnumMap<>(Kind.class);
		/** Open sections: kind and start; time of nested sections is subtracted from the enclosing one. */
		final Deque<long[]> open = new ArrayDeque<>();

		void flops(long n) {
			if (!open.isEmpty()) flops.merge(Kind.values()[(int) open.peek()[0]], n, Long::sum);
		}

		Section enter(Kind kind) {
			long[] frame = { kind.ordinal(), System.nanoTime(), 0 }; // kind, start, nested time
			open.push(frame);
			return () -> {
				long d = System.nanoTime() - frame[1];
				open.pop();
				if (!open.isEmpty()) open.peek()[2] += d;
				self.merge(kind, d - frame[2], Long::sum);
				count.merge(kind, 1L, Long::sum);
			};
		}
	}

	/** libtorch's trace summarised: self time and calls per operator, time in top-level operators. */
	record Ops(Map<String, double[]> byName, double topLevelSeconds, long topLevelCalls) {

		static Ops read(Path chromeTrace) {
			JsonArray events;
			try (Reader in = Files.newBufferedReader(chromeTrace, StandardCharsets.UTF_8)) {
				JsonElement root = JsonParser.parseReader(in);
				events = root.isJsonArray() ? root.getAsJsonArray() : root.getAsJsonObject().getAsJsonArray("traceEvents");
			}
			catch (IOException e) {
				throw new UncheckedIOException("cannot read libtorch's profile " + chromeTrace, e);
			}
			List<double[]> spans = new ArrayList<>(); // start, duration, name index, thread
			List<String> names = new ArrayList<>();
			Map<String, Integer> index = new HashMap<>();
			for (JsonElement e : events) {
				JsonObject o = e.getAsJsonObject();
				if (!o.has("dur") || !"X".equals(o.get("ph").getAsString())) continue;
				String name = o.get("name").getAsString();
				int n = index.computeIfAbsent(name, k -> {
					names.add(k);
					return names.size() - 1;
				});
				spans.add(new double[] { o.get("ts").getAsDouble(), o.get("dur").getAsDouble(), n, o.get("tid").getAsDouble() });
			}
			// nesting per thread: sorted by start, longer first; a span inside the one on the stack is its child
			spans.sort(Comparator.<double[]>comparingDouble(s -> s[3]).thenComparingDouble(s -> s[0]).thenComparingDouble(s -> -s[1]));
			Map<String, double[]> byName = new HashMap<>();
			Deque<double[]> stack = new ArrayDeque<>(); // span, then its children's total in [4]
			double top = 0;
			long topCalls = 0;
			for (double[] s : spans) {
				while (!stack.isEmpty() && (stack.peek()[3] != s[3] || s[0] >= stack.peek()[0] + stack.peek()[1])) close(stack.pop(), names, byName);
				double[] frame = { s[0], s[1], s[2], s[3], 0 };
				if (stack.isEmpty()) {
					top += s[1];
					topCalls++;
				}
				else stack.peek()[4] += s[1];
				stack.push(frame);
			}
			while (!stack.isEmpty()) close(stack.pop(), names, byName);
			return new Ops(byName, top / 1e6, topCalls);
		}

		private static void close(double[] frame, List<String> names, Map<String, double[]> byName) {
			double[] v = byName.computeIfAbsent(names.get((int) frame[2]), k -> new double[2]);
			v[0] += Math.max(0, frame[1] - frame[4]) / 1e6;
			v[1]++;
		}
	}

	/** CPU time and minor page faults of this process (Linux), zero elsewhere. */
	record ProcStat(double userSeconds, double systemSeconds, long minorFaults) {

		static ProcStat read() {
			try {
				String s = Files.readString(Path.of("/proc/self/stat"));
				String[] f = s.substring(s.lastIndexOf(')') + 2).split(" "); // fields from the 3rd (state) on
				double tick = 100.0; // USER_HZ, 100 on every Linux this runs on
				return new ProcStat(Long.parseLong(f[11]) / tick, Long.parseLong(f[12]) / tick, Long.parseLong(f[7]));
			}
			catch (IOException | RuntimeException e) {
				return new ProcStat(0, 0, 0);
			}
		}

		ProcStat minus(ProcStat later) {
			return new ProcStat(later.userSeconds - userSeconds, later.systemSeconds - systemSeconds, later.minorFaults - minorFaults);
		}
	}

	/** The profile of one run. */
	public static final class Report {

		private final double wall;
		private final Map<Kind, Long> selfNanos;
		private final Map<Kind, Long> sections;
		private final Map<Kind, Long> flops;
		private final Ops ops;
		private final ProcStat cpu;

		Report(double wall, Map<Kind, Long> selfNanos, Map<Kind, Long> sections, Map<Kind, Long> flops, Ops ops, ProcStat cpu) {
			this.wall = wall;
			this.selfNanos = selfNanos;
			this.sections = sections;
			this.flops = flops;
			this.ops = ops;
			this.cpu = cpu;
		}

		/** Seconds of {@code kind}'s self time. */
		public double seconds(Kind kind) {
			return selfNanos.getOrDefault(kind, 0L) / 1e9;
		}

		/** How many times libtorch ran the operator {@code name} (e.g. {@code aten::mm}). */
		public long operatorCalls(String name) {
			double[] v = ops.byName().get(name);
			return v == null ? 0 : (long) v[1];
		}

		/** Sections of {@code kind} entered, and the FLOPs counted in them. */
		public long sections(Kind kind) {
			return sections.getOrDefault(kind, 0L);
		}

		public long flops(Kind kind) {
			return flops.getOrDefault(kind, 0L);
		}

		/** Seconds spent outside every libtorch operator (JNI, DJL, freeing tensors). */
		public double outsideOperators() {
			return Math.max(0, wall - ops.topLevelSeconds());
		}

		/** The report as text: by kind, the top operators, CPU time and page faults. */
		public String format(int topOperators) {
			StringBuilder b = new StringBuilder();
			b.append(String.format(Locale.ROOT, "profile\twall %.2f s\tCPU user %.2f s, system %.2f s\tminor page faults %,d%n", wall, cpu.userSeconds(),
				cpu.systemSeconds(), cpu.minorFaults()));
			b.append("by block kind (self time, measured in Java: JNI and DJL included)\n");
			for (Kind k : Kind.values()) {
				double s = seconds(k), gflop = flops.getOrDefault(k, 0L) / 1e9;
				b.append(String.format(Locale.ROOT, "  %-42s %7.3f s %5.1f%%  %,7d calls", k.label, s, 100 * s / wall, sections.getOrDefault(k, 0L)));
				b.append(gflop > 0 ? String.format(Locale.ROOT, "  %8.1f GFLOP %6.1f GFLOP/s%n", gflop, gflop / s) : "\n");
			}
			b.append(String.format(Locale.ROOT, "by libtorch operator (self time; %,d top-level operator calls in %.3f s; outside operators: %.3f s %.1f%%)%n",
				ops.topLevelCalls(), ops.topLevelSeconds(), outsideOperators(), 100 * outsideOperators() / wall));
			ops.byName().entrySet().stream().sorted((x, y) -> Double.compare(y.getValue()[0], x.getValue()[0])).limit(topOperators)
				.forEach(e -> b.append(String.format(Locale.ROOT, "  %-42s %7.3f s %5.1f%%  %,7d calls%n", e.getKey(), e.getValue()[0],
					100 * e.getValue()[0] / wall, (long) e.getValue()[1])));
			return b.toString();
		}
	}
}
