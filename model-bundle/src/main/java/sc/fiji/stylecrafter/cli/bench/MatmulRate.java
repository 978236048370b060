package sc.fiji.stylecrafter.cli.bench;

import java.util.Locale;
import java.util.function.BinaryOperator;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import sc.fiji.stylecrafter.nn.Linear;

/**
 * The machine's matrix product rate through the same libtorch, measured in the benchmark's own process so that a
 * benchmark's GFLOP/s can be given as a fraction of what this machine does at best, which means the same on any CPU.
 * Square products of 2048 (CPU) or 8192 (GPU), two to warm up, then the best of eight, two ways: libtorch's matrix
 * product ({@code torch.mm}, BLAS) and {@link Linear} as the networks run it (on an x86-64 CPU oneDNN's 1x1
 * convolution, faster than BLAS on some CPUs). Ratios are to the faster of the two, and on the CPU also to the peak
 * measured by {@link PeakProbe}.
 */
record MatmulRate(double mm, double linear, long size, DataType dtype, Device device, PeakProbe.Result peak) {

	static MatmulRate measure(Device device, DataType dtype) {
		// float16 products on the CPU take libtorch's reference path (0.3 GFLOP/s here): a small product, or it takes minutes
		long n = device.isGpu() ? 8192 : dtype == DataType.FLOAT32 ? 2048 : 512;
		try (NDManager m = NDManager.newBaseManager(device)) {
			NDArray a = m.randomUniform(-1, 1, new Shape(n, n)).toType(dtype, false);
			NDArray b = m.randomUniform(-1, 1, new Shape(n, n)).toType(dtype, false);
			Linear layer = new Linear(b.duplicate(), null); // a layer takes its weight over (closed once packed)
			double mm = best(a, b, NDArray::matMul), linear = best(a, b, (x, w) -> layer.forward(x));
			double flop = 2.0 * n * n * n;
			PeakProbe.Result peak = device.isGpu() ? null : PeakProbe.measure(ai.djl.pytorch.jni.JniUtils.getNumThreads());
			return new MatmulRate(flop / mm / 1e9, flop / linear / 1e9, n, dtype, device, peak);
		}
	}

	/** Seconds of the fastest of eight products, after two to warm up. */
	private static double best(NDArray a, NDArray b, BinaryOperator<NDArray> product) {
		double best = Double.MAX_VALUE;
		for (int i = 0; i < 10; i++) {
			try (NDManager step = a.getManager().newSubManager()) {
				a.tempAttach(step);
				long t0 = System.nanoTime();
				product.apply(a, b).get(0, 0).toType(DataType.FLOAT32, false).getFloat(); // reading one value waits for a GPU
				double s = (System.nanoTime() - t0) / 1e9;
				if (i >= 2) best = Math.min(best, s);
			}
		}
		return best;
	}

	/** The faster rate. */
	double gflops() {
		return Math.max(mm, linear);
	}

	/** {@code gflopPerSecond} as a fraction of this rate, and on the CPU of the measured peak, in words. */
	String ratio(double gflopPerSecond) {
		return String.format(Locale.ROOT, "%.2f of the matrix product rate", gflopPerSecond / gflops()) + (peak == null ? "" : peak.fraction(gflopPerSecond));
	}

	@Override
	public String toString() {
		return String.format(Locale.ROOT, "matrix product rate\t%.1f GFLOP/s (torch.mm %.1f, as Linear runs it %.1f; %s, %dx%d, best of 8, %s)", gflops(), mm, linear,
			dtype.name().toLowerCase(Locale.ROOT), size, size, device.isGpu() ? "GPU " + device.getDeviceId() : "CPU")
			+ (peak == null ? "" : String.format(Locale.ROOT, "%n%s", peak) + (Double.isNaN(peak.gflops()) ? ""
				: String.format(Locale.ROOT, "; the library's matrix product reaches %.2f of it", gflops() / peak.gflops())));
	}
}
