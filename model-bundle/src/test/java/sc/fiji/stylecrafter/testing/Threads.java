package sc.fiji.stylecrafter.testing;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Runs work at a given libtorch thread count and restores the count after: the golden tests run at the default count
 * and at 1 thread, since whether libtorch computes a kernel right can depend on its thread count (a route's verdict
 * is kept per thread count, so the routes are checked again at 1 thread).
 */
public final class Threads {

	/** Work that may throw. */
	@FunctionalInterface
	public interface Work {
		void run() throws Exception;
	}

	private Threads() {}

	/** @param threads the thread count, or 0 for the process's default */
	public static void at(int threads, Work work) throws Exception {
		int before = JniUtils.getNumThreads();
		if (threads > 0) JniUtils.setNumThreads(threads);
		try {
			System.out.println("libtorch threads: " + JniUtils.getNumThreads());
			work.run();
		}
		finally {
			JniUtils.setNumThreads(before);
		}
	}
}
