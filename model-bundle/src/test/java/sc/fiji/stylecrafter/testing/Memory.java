package sc.fiji.stylecrafter.testing;

import java.io.IOException;
import java.util.Arrays;

/** The process's resident memory, for tests that show it stays flat. */
public final class Memory {

	private Memory() {}

	/** VmRSS of /proc/self/status in kB: the pages in RAM, libtorch's native allocations included. */
	public static long rssKb() throws IOException {
		return status("VmRSS");
	}

	/**
	 * RssAnon in kB: the resident anonymous memory (Java heap, malloc'd native memory, tensors), without the pages of
	 * mapped files (shared libraries, the weight files), which grow when a code path runs for the first time (a
	 * TorchScript function compiled, a oneDNN kernel) and which the kernel can drop: the measure of a leak.
	 */
	public static long anonKb() throws IOException {
		return status("RssAnon");
	}

	/**
	 * After a full garbage collection, the resident anonymous memory minus the Java heap's committed size: what native
	 * code (libtorch, the allocator) holds. The heap's size follows the garbage collector, not the code under test.
	 */
	public static long nativeKb() throws IOException {
		System.gc();
		return anonKb() - java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted() / 1024;
	}

	/** The median of some readings. */
	public static long median(long[] values) {
		long[] v = values.clone();
		Arrays.sort(v);
		return v[v.length / 2];
	}

	private static long status(String key) {
		long kb = sc.fiji.stylecrafter.nn.NativeMemory.statusKb(key);
		if (kb < 0) throw new IllegalStateException("no " + key + " in /proc/self/status");
		return kb;
	}
}
