package sc.fiji.stylecrafter.nn;

import java.util.function.Supplier;

/**
 * Counts the multiply-add FLOPs (2 per multiply-add) of the matrix products and convolutions that run on the current
 * thread inside {@link #count}, for benchmarks that report effective GFLOP/s. Off (one thread-local read) otherwise.
 */
public final class FlopCounter {

	private static final ThreadLocal<long[]> ACTIVE = new ThreadLocal<>();

	private FlopCounter() {}

	/** Runs {@code work} and returns its result with the FLOPs it issued. */
	public static <T> Counted<T> count(Supplier<T> work) {
		long[] c = new long[1];
		long[] previous = ACTIVE.get();
		ACTIVE.set(c);
		try {
			T result = work.get();
			return new Counted<>(result, c[0]);
		}
		finally {
			if (previous == null) ACTIVE.remove();
			else ACTIVE.set(previous);
		}
	}

	/** A result and the FLOPs spent on it. */
	public record Counted<T>(T result, long flops) {}

	/** Adds FLOPs to the running count, if any. */
	public static void add(long flops) {
		long[] c = ACTIVE.get();
		if (c != null) c[0] += flops;
		OpProfile.flops(flops);
	}
}
