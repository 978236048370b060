package sc.fiji.stylecrafter.cli.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import picocli.CommandLine.Command;

import sc.fiji.stylecrafter.cli.base.CliCommand;
import sc.fiji.stylecrafter.io.Checkpoint;
import sc.fiji.stylecrafter.io.Checkpoints;
import sc.fiji.stylecrafter.io.StoredTensor;
import sc.fiji.stylecrafter.io.TensorLoader;
import sc.fiji.stylecrafter.nn.NativeMemory;

/**
 * {@code stylecrafter bench-load FILE}: a benchmark, not a test. Times reading the metadata of a weight file and
 * loading every tensor into DJL arrays (float32, CPU), and reports the peak Java heap and the peak resident memory.
 */
@Command(name = "bench-load", mixinStandardHelpOptions = true, description = "A benchmark: reading and loading every tensor of a weight file (FILE).")
public final class BenchLoadCommand extends PositionalBenchmark {





	@Override
	int run(String[] args, PrintWriter out, PrintWriter err) {
		if (args.length != 1) {
			err.println("usage: stylecrafter bench-load FILE");
			return 2;
		}
		Path file = Path.of(args[0]);
		try {
			long size = Files.size(file);
			resetPeaks();
			long t0 = System.nanoTime();
			try (Checkpoint c = Checkpoints.open(file); NDManager model = NDManager.newBaseManager()) {
				long t1 = System.nanoTime();
				long heapAfterOpen = peakHeap();
				long elements = 0;
				for (StoredTensor t : c.tensors().values()) {
					if (!t.dtype().isFloating()) continue;
					TensorLoader.load(t, model, DataType.FLOAT32);
					elements += t.numel();
				}
				long t2 = System.nanoTime();
				out.printf(Locale.ROOT, "file\t%s\t%.2f GB%n", file, size / 1e9);
				out.printf(Locale.ROOT, "open+metadata\t%.3f s\tpeak heap %.1f MB%n", (t1 - t0) / 1e9, heapAfterOpen / 1e6);
				out.printf(Locale.ROOT, "load float32\t%.3f s\t%d tensors\t%d elements\t%.2f GB/s%n", (t2 - t1) / 1e9, c.tensors().size(), elements,
					size / 1e9 / ((t2 - t1) / 1e9));
				out.printf(Locale.ROOT, "peak heap\t%.1f MB\tpeak RSS %.1f MB%n", peakHeap() / 1e6, peakRssKb() / 1e3);
			}
			return 0;
		}
		catch (IOException | RuntimeException e) {
			err.println("stylecrafter bench-load: " + CliCommand.oneLine(e.getMessage()));
			return 1;
		}
	}

	private static void resetPeaks() {
		System.gc();
		for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) p.resetPeakUsage();
	}

	private static long peakHeap() {
		long sum = 0;
		for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
			if (p.getType() == MemoryType.HEAP) sum += p.getPeakUsage().getUsed();
		}
		return sum;
	}

	/** VmHWM of /proc/self/status, in kB (0 where there is none). */
	static long peakRssKb() {
		return Math.max(0, NativeMemory.statusKb("VmHWM"));
	}
}
