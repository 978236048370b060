package sc.fiji.stylecrafter.cli.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The CPU's float32 peak, measured: twelve independent chains of fused multiply-adds on the widest vectors this CPU has
 * (Java's vector API, which the JIT compiles to the CPU's FMA instructions on registers: no memory is touched), on as
 * many threads as libtorch uses, for a second after a warm-up. The benchmarks give their rates as a fraction of this,
 * so that a figure means the same on any CPU. Needs {@code --add-modules jdk.incubator.vector} (the launcher passes
 * it); without it {@link #measure} says so instead of a number. There is no bfloat16 probe: the vector API has no
 * bfloat16 dot product; where the CPU has AVX-512 BF16, its bfloat16 peak is twice the float32 one (two products per lane).
 */
final class PeakProbe {

	private static final int CHAINS = 12;
	/** A constant: the JIT compiles vector operations to instructions only for a species it knows at compile time. */
	private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
	private static final int INNER = 1 << 16;

	private PeakProbe() {}

	/** A line: the measured peak and the vector width, or why there is none. */
	static Result measure(int threads) {
		try {
			return run(threads);
		}
		catch (NoClassDefFoundError | ExceptionInInitializerError e) {
			return new Result(Double.NaN, 0, threads, "not measured (start Java with --add-modules jdk.incubator.vector)");
		}
		catch (Exception e) {
			return new Result(Double.NaN, 0, threads, "not measured (" + e + ")");
		}
	}

	/** @param gflops float32 GFLOP/s of the CPU's FMA units, all threads together; NaN when not measured */
	record Result(double gflops, int lanes, int threads, String why) {

		/** {@code gflopPerSecond} as a fraction of the peak, in words (empty when not measured). */
		String fraction(double gflopPerSecond) {
			return Double.isNaN(gflops) ? "" : String.format(Locale.ROOT, ", %.2f of the CPU's float32 peak", gflopPerSecond / gflops);
		}

		@Override
		public String toString() {
			return Double.isNaN(gflops) ? "CPU float32 peak\t" + why
				: String.format(Locale.ROOT, "CPU float32 peak\t%.1f GFLOP/s (register-only FMA probe, %d-lane vectors, %d thread(s))", gflops, lanes, threads);
		}
	}

	private static Result run(int threads) throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		try {
			chains(0.2);
			List<Future<double[]>> parts = new ArrayList<>();
			for (int t = 0; t < threads; t++) parts.add(pool.submit(() -> chains(1.0)));
			double gflops = 0;
			for (Future<double[]> f : parts) gflops += f.get()[0];
			return new Result(gflops, SPECIES.length(), threads, null);
		}
		finally {
			pool.shutdownNow();
		}
	}

	/** {@code [GFLOP/s, checksum]} of one thread's chains over about {@code seconds}. */
	private static double[] chains(double seconds) {
		FloatVector m = FloatVector.broadcast(SPECIES, 0.999999f), c = FloatVector.broadcast(SPECIES, 1e-7f);
		double sum = 0;
		for (int i = 0; i < 20_000; i++) sum += block(m, c, 64); // the JIT compiles block, with its vectors in registers
		long iterations = 0;
		long t0 = System.nanoTime(), end = t0 + (long) (seconds * 1e9), now;
		do {
			sum += block(m, c, INNER);
			iterations += INNER;
			now = System.nanoTime();
		}
		while (now < end);
		double flop = 2.0 * SPECIES.length() * CHAINS * iterations;
		return new double[] { flop / ((now - t0) / 1e9) / 1e9, sum };
	}

	/** {@code n} rounds of {@value #CHAINS} independent fused multiply-adds; their sum, so that the JIT keeps them. */
	private static float block(FloatVector m, FloatVector c, int n) {
		FloatVector a0 = FloatVector.broadcast(SPECIES, 1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0,
			a11 = a0;
		for (int i = 0; i < n; i++) {
			a0 = a0.fma(m, c);
			a1 = a1.fma(m, c);
			a2 = a2.fma(m, c);
			a3 = a3.fma(m, c);
			a4 = a4.fma(m, c);
			a5 = a5.fma(m, c);
			a6 = a6.fma(m, c);
			a7 = a7.fma(m, c);
			a8 = a8.fma(m, c);
			a9 = a9.fma(m, c);
			a10 = a10.fma(m, c);
			a11 = a11.fma(m, c);
		}
		return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11).reduceLanes(VectorOperators.ADD);
	}
}
